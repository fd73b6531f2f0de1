"""Notebook kernels for the build: quiet, and forked from a template that imported the stack.

Every page runs in a kernel of its own, started for it, as Jupyter Book would run it. A
plain start costs a page about 3 s of CPU before its first line (Python, IPython, numpy,
pandas, matplotlib), which is more than most pages take to run. ``template()`` starts one
process that imports those modules once; each page's kernel is then forked from it
(copy-on-write: ~0.1 s) and runs the page from its first cell, like a fresh kernel.

Two messages on every page came from how kernels were started and stopped, and are avoided
there rather than filtered: ipykernel's "Kernel is running over TCP without encryption"
(the kernels here listen on Unix sockets, ``transport="ipc"``), and "KeyboardInterrupt
caught in kernel" (jupyter_client interrupts a kernel before asking it to shut down; a
kernel that finished its page has nothing to interrupt).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

#: What the template imports: what most pages import first (and what IPython needs).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython.core.interactiveshell",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.figure",
    "scipy.special",
    "myst_nb",
)
#: The matplotlib backend ipykernel selects (``MPLBACKEND``) before a page imports matplotlib.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Environment variable naming the template's socket (read by ``ForkedKernelManager``).
TEMPLATE_ENV = "CART_HSCT_KERNEL_TEMPLATE"


class KernelManager(AsyncKernelManager):
    """A kernel manager whose kernels talk over Unix sockets and stop without SIGINT."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        if self.transport == "ipc":  # the socket files' prefix: one per kernel, never shared
            self.ip = os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex[:12]}")

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before every shutdown, to stop a running cell; nbclient
        # shuts a kernel down after its last cell (or after its own interrupt on a timeout).
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()


class _ForkedProcess:
    """The parts of ``subprocess.Popen`` that jupyter_client uses, for a kernel the template
    forked (a child of the template, not of this process: waited on through a pidfd)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it failed before we looked: nbclient reports it dead
            self.returncode = 1

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self._exited()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._exited()
        return self.returncode

    def _exited(self) -> None:
        self.returncode = 0  # the template reaps it; its status is not ours to read
        os.close(self._pidfd)

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class _ForkProvisioner(LocalProvisioner):
    """Launches ``python -m ipykernel_launcher`` by asking the template to fork."""

    template = ""  # the template's socket path

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if cmd[1:3] != ["-m", "ipykernel_launcher"] or cmd[0] != sys.executable:
            return await super().launch_kernel(cmd, **kwargs)  # not a kernel we can fork
        request = {
            "args": cmd[3:],
            "cwd": str(kwargs.get("cwd") or os.getcwd()),
            "env": dict(kwargs.get("env") or os.environ),
        }
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self.template)
            conn.sendall(json.dumps(request).encode())
            conn.shutdown(socket.SHUT_WR)
            pid = json.loads(_read_all(conn))["pid"]
        self.process = _ForkedProcess(pid)
        self.pid = self.pgid = pid  # the kernel leads a process group of its own
        self.cwd = request["cwd"]
        return self.connection_info


class ForkedKernelManager(KernelManager):
    """A kernel manager whose kernels are forked from the template named by
    ``$CART_HSCT_KERNEL_TEMPLATE`` (or started as usual when it is unset)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if os.environ.get(TEMPLATE_ENV):
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = _ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
            self.provisioner.template = os.environ[TEMPLATE_ENV]


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@contextlib.contextmanager
def template(cwd: Path, preload: tuple[str, ...] = PRELOAD) -> Iterator[str]:
    """Start the template process for the duration of the block; yield its socket path.

    Sets ``$CART_HSCT_KERNEL_TEMPLATE`` for the block, so that ``ForkedKernelManager``
    (here or in worker processes started inside the block) forks its kernels from it.
    """
    folder = tempfile.mkdtemp(prefix="cart-hsct-kernels-")
    path = os.path.join(folder, "template.sock")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cart_hsct.notebook_kernels", path, *preload],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        if proc.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"the kernel template did not start (exit {proc.wait()})")
        proc.stdout.close()
        previous = os.environ.get(TEMPLATE_ENV)
        os.environ[TEMPLATE_ENV] = path
        try:
            yield path
        finally:
            if previous is None:
                os.environ.pop(TEMPLATE_ENV, None)
            else:
                os.environ[TEMPLATE_ENV] = previous
    finally:
        proc.stdin.close()  # the template exits at end of input
        proc.wait(timeout=30)
        with contextlib.suppress(OSError):
            os.unlink(path)
            os.rmdir(folder)


def ensure_template(stack: contextlib.ExitStack, cwd: Path) -> None:
    """Start a template on ``stack`` unless one runs already (``$CART_HSCT_KERNEL_TEMPLATE``)."""
    if not os.environ.get(TEMPLATE_ENV):
        stack.enter_context(template(cwd))


def _serve(path: str, preload: list[str]) -> None:
    """The template: import, then fork a kernel for each request until stdin closes."""
    # ipykernel_launcher drops the folder ``-m`` puts first on the path; IPython adds ''
    del sys.path[0]
    # Import as a page would, inside a kernel: matplotlib reads the backend ipykernel sets,
    # and pandas asks ``get_ipython()`` whether it runs in a kernel (then it shows at most
    # 20 columns of a wide table rather than fitting a terminal's width).
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    builtins.get_ipython = _InKernel
    try:
        for module in preload:
            importlib.import_module(module)
    finally:
        del builtins.get_ipython
        os.environ.pop("MPLBACKEND")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels are reaped as they exit
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which closes stdin
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    os.dup2(2, 1)  # the kernels' output goes where a kernel's goes: the build's stderr
    while True:
        ready = select.select([server, sys.stdin], [], [])[0]
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            return  # the build ended
        if server not in ready:
            continue
        conn = server.accept()[0]
        with conn:
            request = json.loads(_read_all(conn))
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _become_kernel(request)
            with contextlib.suppress(OSError):  # the child may have done it already
                os.setpgid(pid, pid)
            conn.sendall(json.dumps({"pid": pid}).encode())


class _InKernel:
    """What ``get_ipython()`` returns inside a kernel, as far as an import looks."""

    kernel = True


def _become_kernel(request: dict) -> None:
    """In the forked child: take the page's directory and environment, run ipykernel."""
    code = 1
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # not the template's pipe from the build
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # ipykernel read $JPY_PARENT_PID when the template imported it: say it here
        sys.argv = [
            "ipykernel_launcher",
            *request["args"],
            f"--IPKernelApp.parent_handle={os.getppid()}",
        ]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # a forked child must never return to the template's loop
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2:])
