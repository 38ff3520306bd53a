"""Reports and pruning questions from trials running elsewhere, answered in the study's thread.

A trial's handle away from the study's thread (:class:`~unitune.study._handle.RemoteHandle`)
sends ``report`` messages without waiting and waits for the answer to ``prune`` and
``sync``. One link per executor kind carries them:

* threads (``ThreadPoolExecutor``): an in-process queue;
* local processes (loky, ``ProcessPoolExecutor``, any other executor): a
  ``multiprocessing.connection`` socket on 127.0.0.1 with a random key, one
  connection per worker thread;
* Dask (``Client.get_executor()``): a ``distributed.Queue`` through the scheduler,
  so it works on every machine of the cluster, and one reply queue per trial.

Every message becomes an event of one queue in the study's process, and the study's
thread serves them while it waits for trials to finish (:meth:`Channel.wait`). So the
record and the pruner are only ever used from the study's thread, ask and tell stay
there, and a decision takes into account every report received before it: a report is
served before any later question of the same trial (one ordered link per trial), and a
trial's result is taken only after its last reports (the handle syncs before it returns).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import queue
import threading
import uuid
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from unitune.exceptions import StudyError
from unitune.study._handle import Link, RemoteHandle

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from unitune.study._trial import Trial

__all__ = ["Channel", "open_channel"]

logger = logging.getLogger("unitune")

Reply = Callable[[Any], None]
#: The answer to a question the study can no longer answer (the handle raises it in the objective).
STOPPED = "the study stopped (Ctrl-C, or an error) before answering"
_POLL = 1.0  # seconds between looks at whether the study stopped, while a question waits


class Channel:
    """The study's side: running trials by number, and the queue of events served while waiting."""

    def __init__(self) -> None:
        self.events: queue.SimpleQueue[tuple[list[Any], Reply | None] | None] = queue.SimpleQueue()
        self.closed = threading.Event()
        self._trials: dict[int, Trial] = {}
        self._errors: dict[int, str] = {}
        self._watched: set[cf.Future[Any]] = set()

    # -- what subclasses provide ------------------------------------------------------------------
    def link(self, trial: Trial) -> Link:
        """The link a trial's handle uses to reach this channel."""
        raise NotImplementedError

    def close(self) -> None:
        """The study stopped serving (done, Ctrl-C, an error): a question still waiting gets an error.

        Subclasses also stop the threads and connections of their link.
        """
        self.closed.set()
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if event is not None and event[1] is not None:
                with contextlib.suppress(Exception):
                    event[1](STOPPED)

    # -- the study's side ------------------------------------------------------------------------
    def handle(self, trial: Trial) -> RemoteHandle:
        """A handle for ``trial`` to send with it to the executor."""
        self._trials[trial.number] = trial
        return RemoteHandle(trial.number, trial.params, self.link(trial))

    def release(self, trial: Trial) -> None:
        """The trial is over: later messages about it are ignored."""
        self._trials.pop(trial.number, None)
        self._errors.pop(trial.number, None)

    def wait(self, futures: Collection[cf.Future[Any]]) -> set[cf.Future[Any]]:
        """Serve messages until at least one of ``futures`` is done; return the done ones."""
        for future in futures:
            if future not in self._watched:
                self._watched.add(future)
                future.add_done_callback(self._wake)
        while True:
            self._serve_waiting()
            done = {f for f in futures if f.done()}
            if done:
                self._watched -= done
                return done
            self._serve(self.events.get())

    def _wake(self, future: cf.Future[Any]) -> None:
        self.events.put(None)

    def _serve_waiting(self) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            self._serve(event)

    def _serve(self, event: tuple[list[Any], Reply | None] | None) -> None:
        if event is None:  # a trial finished
            return
        (kind, number, value, step), reply = event[0][:4], event[1]
        trial = self._trials.get(number)
        answer: Any = True
        try:
            if kind == "report":
                if trial is not None:
                    trial.report(value, step)
                return
            if number in self._errors:
                answer = self._errors.pop(number)
            elif kind == "prune":
                answer = trial is not None and trial.should_prune()
        except Exception as error:  # the trial's objective raises it (a report's error: at its next question)
            text = f"{type(error).__name__}: {error}"
            if kind == "report":
                self._errors[number] = text
                return
            answer = text
        if reply is not None:
            try:
                reply(answer)
            except Exception as error:  # the worker is gone: its trial ends through its future
                logger.debug("could not answer trial %s: %s", number, error)


def open_channel(executor: cf.Executor) -> Channel:
    """The channel for ``executor``'s kind: threads, Dask, or local processes (any other executor)."""
    if isinstance(executor, cf.ThreadPoolExecutor):
        return ThreadChannel()
    client = getattr(executor, "_client", None)
    if client is not None and type(executor).__module__.startswith("distributed"):
        return DaskChannel(client)
    return SocketChannel()


# -- threads ---------------------------------------------------------------------------------------------------


class _QueueLink:
    """A link in the study's process: messages straight into the channel's queue."""

    def __init__(self, events: queue.SimpleQueue[Any], closed: threading.Event) -> None:
        self.events = events
        self.closed = closed

    def send(self, message: list[Any]) -> None:
        self.events.put((message, None))

    def ask(self, message: list[Any]) -> Any:
        answer: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.events.put((message, answer.put))
        while True:  # until answered, or the study stopped serving (then no answer comes)
            try:
                return answer.get(timeout=_POLL)
            except queue.Empty:
                if self.closed.is_set():
                    return STOPPED


class ThreadChannel(Channel):
    """Trials in threads of the study's process."""

    def __init__(self) -> None:
        super().__init__()
        self._link = _QueueLink(self.events, self.closed)

    def link(self, trial: Trial) -> Link:
        """The in-process link (the same for every trial)."""
        return self._link


# -- local processes -------------------------------------------------------------------------------------------

_CONNECTIONS = threading.local()  # in a worker: this thread's connection to the study, by address


class _SocketLink:
    """A link from a worker process on this machine: a ``multiprocessing.connection`` to the study."""

    def __init__(self, address: tuple[str, int], authkey: bytes) -> None:
        self.address = address
        self.authkey = authkey

    def _connection(self) -> Connection:
        cached = getattr(_CONNECTIONS, "value", None)
        if cached is not None and cached[0] == self.address:
            connection: Connection = cached[1]
            return connection
        from multiprocessing.connection import Client

        if cached is not None:  # a connection to an earlier study: that study is over
            cached[1].close()
        try:
            connection = Client(self.address, authkey=self.authkey)
        except OSError as error:
            raise StudyError(
                f"this worker cannot reach the study at {self.address[0]}:{self.address[1]} to report ({error}). "
                "Fix: run trials that report on this machine, or on a Dask cluster through Client.get_executor()"
            ) from error
        _CONNECTIONS.value = (self.address, connection)
        return connection

    def send(self, message: list[Any]) -> None:
        self._connection().send(message)

    def ask(self, message: list[Any]) -> Any:
        connection = self._connection()
        connection.send(message)
        return connection.recv()


class SocketChannel(Channel):
    """Trials in processes on this machine: a listener on 127.0.0.1, a reader thread per connection."""

    def __init__(self) -> None:
        from multiprocessing.connection import Listener

        super().__init__()
        self._authkey = os.urandom(32)
        self._listener = Listener(("127.0.0.1", 0), authkey=self._authkey)
        self._link = _SocketLink(self._listener.address, self._authkey)
        self._connections: list[Connection] = []
        self._closed = False
        threading.Thread(target=self._accept, name="unitune-channel-accept", daemon=True).start()

    def link(self, trial: Trial) -> Link:
        """The socket link (the same for every trial)."""
        return self._link

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection = self._listener.accept()
            except Exception:  # a client without the key, or the listener closed
                continue
            if self._closed:
                connection.close()
                return
            self._connections.append(connection)
            threading.Thread(target=self._read, args=(connection,), name="unitune-channel-read", daemon=True).start()

    def _read(self, connection: Connection) -> None:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                return
            self.events.put((message, connection.send))

    def close(self) -> None:
        """Stop accepting, and end every reader thread."""
        import socket

        super().close()
        self._closed = True
        with contextlib.suppress(OSError):  # accept() does not return on close(): wake it with a connection
            socket.create_connection(self._link.address, timeout=5).close()  # (which then fails the handshake)
        self._listener.close()
        for connection in self._connections:
            try:  # shutdown wakes the reader blocked in recv(); close alone does not
                with socket.socket(fileno=os.dup(connection.fileno())) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()


# -- Dask ------------------------------------------------------------------------------------------------------


def _dask_queue(name: str, client: Any = None) -> Any:
    """A ``distributed.Queue`` (``client=None``: the worker's, in a task)."""
    from distributed import Queue

    return Queue(name, client=client)  # type: ignore[no-untyped-call]


def _dask_event(name: str, client: Any = None) -> Any:
    """A ``distributed.Event`` (``client=None``: the worker's, in a task)."""
    from distributed import Event

    return Event(name, client=client)  # type: ignore[no-untyped-call]


class _DaskLink:
    """A link from a Dask worker: messages through a ``distributed.Queue``, answers through the trial's own."""

    def __init__(self, requests: str, replies: str) -> None:
        self.requests = requests
        self.replies = replies
        self._queues: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, str]:
        return {"requests": self.requests, "replies": self.replies}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["requests"], state["replies"])  # type: ignore[misc]

    def _queue(self, name: str) -> Any:
        if name not in self._queues:
            self._queues[name] = _dask_queue(name)  # the worker's client
        return self._queues[name]

    def send(self, message: list[Any]) -> None:
        self._queue(self.requests).put(message)

    def ask(self, message: list[Any]) -> Any:
        import asyncio

        self._queue(self.requests).put([*message, self.replies])
        while True:  # until answered, or the study stopped serving (then no answer comes)
            try:
                return self._queue(self.replies).get(timeout=_POLL)
            except (TimeoutError, asyncio.TimeoutError):
                if _dask_event(f"{self.requests}-closed").is_set():
                    return STOPPED

    def __del__(self) -> None:
        for q in self._queues.values():
            with contextlib.suppress(Exception):  # the worker's client is gone
                q.close()


class DaskChannel(Channel):
    """Trials on a Dask cluster: one request queue, served by a relay thread into the study's queue."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self._client = client
        self._name = f"unitune-{uuid.uuid4().hex}"
        self._requests = _dask_queue(self._name, client)
        self._replies: dict[str, Any] = {}
        self._relay = threading.Thread(target=self._forward, name="unitune-channel-dask", daemon=True)
        self._relay.start()

    def link(self, trial: Trial) -> Link:
        """A link whose answers come through a queue of this submission's own."""
        return _DaskLink(self._name, f"{self._name}-{trial.number}-{uuid.uuid4().hex[:8]}")

    def _forward(self) -> None:
        while True:
            try:
                message = self._requests.get()
            except Exception:  # the client closed
                return
            if message is None:
                return
            reply = None
            if len(message) > 4:
                name = message[4]
                reply = lambda answer, name=name: self._reply(name, answer)  # noqa: E731
            self.events.put((list(message[:4]), reply))

    def _reply(self, name: str, answer: Any) -> None:
        if name not in self._replies:
            self._replies[name] = _dask_queue(name, self._client)
        self._replies[name].put(answer)

    def close(self) -> None:
        """Stop the relay thread and release the queues; a worker still waiting for an answer gets an error."""
        super().close()
        try:
            _dask_event(f"{self._name}-closed", self._client).set()
            self._requests.put(None)
            self._relay.join(timeout=30)
            for q in [self._requests, *self._replies.values()]:
                q.close()
        except Exception as error:  # the client closed first
            logger.debug("closing the Dask channel: %s", error)
