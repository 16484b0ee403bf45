"""Python behaviour analysis on the syntax tree (``ast``): imports, resolved call names and string constants.

Rules look at what the code *does*, not at how it is spelled: ``import socket as s`` and ``from os import dup2``
resolve to the same names as the plain forms, and ``exec(base64.b64decode(...))`` is found wherever the decoder
sits inside the ``exec`` argument. Base64 string constants passed to decoders are decoded (bounded) so the caller
can re-scan the payload. Parsing is bounded by the caller (``max_chars``); a tree walk is linear in the tree.
"""

from __future__ import annotations

import ast
import base64
import binascii
from dataclasses import dataclass, field

__all__ = ["PyFinding", "PyAnalysis", "analyse_python"]

_DECODERS = frozenset(
    {
        "base64.b64decode",
        "base64.b32decode",
        "base64.b16decode",
        "base64.a85decode",
        "base64.b85decode",
        "base64.decodebytes",
        "base64.urlsafe_b64decode",
        "codecs.decode",
        "zlib.decompress",
        "bz2.decompress",
        "lzma.decompress",
        "gzip.decompress",
        "marshal.loads",
        "bytes.fromhex",
        "binascii.unhexlify",
        "binascii.a2b_base64",
        "chr",
    }
)
_FETCHERS = frozenset(
    {
        "urllib.request.urlopen",
        "urllib.urlopen",
        "urllib2.urlopen",
        "urlopen",
        "requests.get",
        "requests.post",
        "requests.request",
        "httpx.get",
        "urllib.request.urlretrieve",
        "urlretrieve",
        "wget.download",
    }
)
_SENDERS = frozenset(
    {
        "requests.post",
        "requests.put",
        "httpx.post",
        "urllib.request.urlopen",
        "urlopen",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "ftplib.FTP",
        "socket.socket",
        "socket.create_connection",
        "paramiko.SSHClient",
    }
)
_EXECUTORS = frozenset(
    {
        "os.system",
        "os.popen",
        "os.startfile",
        "os.execv",
        "os.execve",
        "os.execl",
        "os.execlp",
        "os.execvp",
        "os.spawnl",
        "subprocess.call",
        "subprocess.run",
        "subprocess.Popen",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "pty.spawn",
    }
)
_SECRET_PATHS = (
    ".ssh/id_rsa",
    ".ssh/id_ed25519",
    ".ssh/id_ecdsa",
    ".ssh/id_dsa",
    "/etc/shadow",
    "login data",
    "logins.json",
    "key4.db",
    "cookies.sqlite",
    ".aws/credentials",
    "wallet.dat",
    ".git-credentials",
    "local state",
)
_SHELLS = ("/bin/sh", "/bin/bash", "/bin/zsh", "cmd.exe", "powershell", "sh -i", "bash -i")


@dataclass(frozen=True)
class PyFinding:
    """One Python behaviour found: rule id, category, severity and the line it starts on."""

    rule: str
    category: str
    severity: float
    line: int


@dataclass
class PyAnalysis:
    """Result of :func:`analyse_python`.

    Attributes:
        findings: behaviours found.
        strings: string constants (for re-scanning with the shell rules), bounded.
        decoded: payloads decoded from constant arguments of base64/hex decoders, bounded.
    """

    findings: list[PyFinding] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    decoded: list[str] = field(default_factory=list)


class _Collector(ast.NodeVisitor):
    def __init__(self) -> None:
        self.alias: dict[str, str] = {}
        self.calls: list[tuple[str, ast.Call]] = []
        self.strings: list[str] = []
        self.fork_in_loop = 0

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        mod = node.module or ""
        for a in node.names:
            self.alias[a.asname or a.name] = f"{mod}.{a.name}" if mod else a.name

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append((self.name(node.func), node))
        if node.func is not None and self.name(node.func) == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                self.alias.setdefault(arg.value, arg.value)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(self.strings) < 2000:
            self.strings.append(node.value)

    def visit_While(self, node: ast.While) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and self.name(sub.func) == "os.fork":
                self.fork_in_loop = node.lineno
                break
        self.generic_visit(node)

    def name(self, node: ast.expr) -> str:
        """Dotted name of a call target with import aliases resolved (``sp.Popen`` -> ``subprocess.Popen``)."""
        if isinstance(node, ast.Name):
            return self.alias.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.name(node.value)
            return f"{base}.{node.attr}" if base else node.attr
        if isinstance(node, ast.Call):
            inner = self.name(node.func)
            if inner == "__import__" and node.args and isinstance(node.args[0], ast.Constant):
                return str(node.args[0].value)
            return inner + "()"
        return ""


def _subtree_calls(node: ast.AST, c: _Collector) -> set[str]:
    return {c.name(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}


_DECODER_LEAVES = frozenset(
    {
        "b64decode",
        "b32decode",
        "b16decode",
        "a85decode",
        "b85decode",
        "decodebytes",
        "urlsafe_b64decode",
        "decompress",
        "fromhex",
        "unhexlify",
        "a2b_base64",
        "chr",
    }
)


def _decodes(names: set[str]) -> bool:
    return any(n in _DECODERS or n.rsplit(".", 1)[-1] in _DECODER_LEAVES for n in names)


def _fetches(names: set[str]) -> bool:
    return any(n in _FETCHERS or n.rsplit(".", 1)[-1] in ("urlopen", "urlretrieve") for n in names)


def _decode_constant(call: ast.Call, name: str, limit: int) -> str | None:
    if not call.args or not isinstance(call.args[0], ast.Constant):
        return None
    raw = call.args[0].value
    if not isinstance(raw, (str, bytes)) or len(raw) > limit:
        return None
    try:
        if name.endswith(("b64decode", "decodebytes", "a2b_base64")):
            data = base64.b64decode(raw, validate=False)
        elif name.endswith(("fromhex", "unhexlify")):
            data = binascii.unhexlify(raw if isinstance(raw, bytes) else raw.encode())
        else:
            return None
    except (ValueError, binascii.Error):
        return None
    text = data.decode("utf-8", errors="replace")
    return text if text.isprintable() or "\n" in text else None


def analyse_python(code: str, *, max_chars: int = 100_000) -> PyAnalysis | None:
    """Analyse Python source; ``None`` when it does not parse (or is longer than ``max_chars``)."""
    if len(code) > max_chars:
        return None
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    c = _Collector()
    try:
        c.visit(tree)
    except RecursionError:
        return None
    out = PyAnalysis(strings=c.strings[:500])
    names = {n for n, _ in c.calls}
    lowered = [s.lower() for s in c.strings]
    mentions_shell = any(sh in s for s in lowered for sh in _SHELLS)

    def add(rule: str, category: str, severity: float, line: int = 1) -> None:
        out.findings.append(PyFinding(rule, category, severity, line))

    socket_used = any(n.startswith("socket.") or n.endswith((".connect", ".connect_ex")) for n in names) and (
        "socket" in c.alias.values() or any(n.startswith("socket.") for n in names)
    )
    dup2 = "os.dup2" in names or any(n.endswith(".dup2") for n in names)
    spawn = any(n in _EXECUTORS for n in names)
    if socket_used and (dup2 or "pty.spawn" in names or (spawn and mentions_shell)):
        add("python_socket_shell", "reverse_shell", 0.95, _line_of(c, ("socket.socket", "socket.create_connection")))
    elif socket_used and _runs_received_commands(c):
        add("python_socket_command_loop", "reverse_shell", 0.9, _line_of(c, ("socket.socket",)))

    for name, call in c.calls:
        if name in ("exec", "eval", "builtins.exec", "builtins.eval", "compile"):
            inner = set().union(*(_subtree_calls(a, c) for a in call.args)) if call.args else set()
            if _fetches(inner):
                add("python_exec_fetched", "download_execute", 0.95, call.lineno)
            elif _decodes(inner):
                add("python_exec_decoded", "obfuscation", 0.9, call.lineno)
            elif name in ("exec", "builtins.exec") and "compile" in inner:
                add("python_exec_compile", "obfuscation", 0.6, call.lineno)
        if name in _DECODERS or name.endswith(("b64decode", "unhexlify", "fromhex")):
            decoded = _decode_constant(call, name, max_chars)
            if decoded and len(out.decoded) < 20:
                out.decoded.append(decoded)

    fetch = _fetches(names)
    if fetch and any(n in ("os.chmod", "os.startfile") for n in names) and spawn:
        add("python_download_run", "download_execute", 0.85, _line_of(c, tuple(_FETCHERS)))

    secret = any(p in s for s in lowered for p in _SECRET_PATHS)
    if secret and (names & _SENDERS or any(n.endswith((".send", ".sendall", ".post")) for n in names)):
        add("python_secret_exfiltration", "credential_theft", 0.9, _line_of(c, ("open",)))
    if any(p in s for s in lowered for p in ("login data", "logins.json", "cookies")) and any(
        n.endswith("CryptUnprotectData") for n in names
    ):
        add("python_browser_decrypt", "credential_theft", 0.9, _line_of(c, ("open", "sqlite3.connect")))

    walks = any(
        n in ("os.walk", "glob.glob", "os.scandir", "pathlib.Path.rglob") or n.endswith(".rglob") for n in names
    )
    crypto = any(n.endswith(("Fernet", ".encrypt", "AES.new")) for n in names)
    wipe = any(n in ("os.remove", "os.unlink", "os.rename", "shutil.move") or n.endswith(".unlink") for n in names)
    if walks and crypto and wipe:
        add("python_ransomware", "destructive", 0.85, _line_of(c, ("os.walk", "glob.glob")))

    keys = any(
        n.endswith(("keyboard.Listener", "keyboard.on_press", "GetAsyncKeyState", "hook_keyboard")) for n in names
    )
    if keys and (names & _SENDERS or any(n.endswith((".send", ".sendall")) for n in names)):
        add("python_keylogger", "credential_theft", 0.8, _line_of(c, ("pynput.keyboard.Listener",)))

    if c.fork_in_loop:
        add("python_fork_bomb", "destructive", 0.9, c.fork_in_loop)
    for name, call in c.calls:
        if name == "shutil.rmtree" and call.args and isinstance(call.args[0], ast.Constant):
            if str(call.args[0].value).rstrip("/") in ("", "~", "C:", "c:", "C:\\"):
                add("python_rmtree_root", "destructive", 0.9, call.lineno)
    return out


def _runs_received_commands(c: _Collector) -> bool:
    """Socket ``recv`` + a shell/exec call on a non-constant argument + ``send``: a command-and-control loop."""
    names = [n for n, _ in c.calls]
    recv = any(n.endswith((".recv", ".recvfrom", ".makefile")) for n in names)
    send = any(n.endswith((".send", ".sendall")) for n in names)
    dynamic = any(
        n in _EXECUTORS and call.args and not isinstance(call.args[0], (ast.Constant, ast.List, ast.Tuple))
        for n, call in c.calls
    )
    return recv and send and dynamic


def _line_of(c: _Collector, names: tuple[str, ...]) -> int:
    for n, call in c.calls:
        if n in names:
            return call.lineno
    return 1
