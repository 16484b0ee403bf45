"""Token-aware behaviour rules for shell, PowerShell, batch, JavaScript, PHP and friends (re2, linear time).

Each :class:`Rule` is a conjunction of re2 patterns that must all match the same code unit (after
:func:`normalize` has undone the common quoting/escaping tricks), minus ``none_of`` patterns. Conjunctions keep
single ingredients that are common in legitimate DevOps scripts (``curl``, ``rm``, ``crontab``, ``/dev/tcp``
health checks, ``ssh-keygen``) from firing on their own. Severity: ``>= 0.8`` high, ``>= 0.5`` medium.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import re2

__all__ = ["Rule", "RULES", "INJECTION_RULES", "normalize", "TRUSTED_INSTALLERS"]

_OPTS = re2.Options()
_OPTS.case_sensitive = False
_OPTS.max_mem = 32 << 20


def _p(pattern: str) -> Any:
    return re2.compile("(?m)" + pattern, _OPTS)


@dataclass(frozen=True)
class Rule:
    """A behaviour rule.

    Attributes:
        id: stable rule id (reported in findings).
        category: behaviour class: ``reverse_shell``, ``bind_shell``, ``download_execute``, ``destructive``,
            ``credential_theft``, ``persistence``, ``obfuscation``, ``exploit``, ``cryptominer``,
            ``command_injection``.
        severity: 0..1.
        all_of: patterns that must all match (the first one locates the finding).
        none_of: patterns that veto the rule.
        trusted_exempt: the rule does not fire when every URL in the first match is on a trusted installer host.
    """

    id: str
    category: str
    severity: float
    all_of: tuple[Any, ...]
    none_of: tuple[Any, ...] = ()
    trusted_exempt: bool = False


def _r(
    rid: str, category: str, severity: float, *all_of: str, none_of: tuple[str, ...] = (), trusted: bool = False
) -> Rule:
    return Rule(rid, category, severity, tuple(_p(a) for a in all_of), tuple(_p(n) for n in none_of), trusted)


#: Official installer hosts whose ``curl | sh`` / ``iex (irm ...)`` one-liners are documented practice.
TRUSTED_INSTALLERS: tuple[str, ...] = (
    "get.docker.com",
    "sh.rustup.rs",
    "install.python-poetry.org",
    "get.helm.sh",
    "community.chocolatey.org",
    "chocolatey.org",
    "get.scoop.sh",
    "deb.nodesource.com",
    "rpm.nodesource.com",
    "bun.sh",
    "deno.land",
    "astral.sh",
    "get.k3s.io",
    "sdk.cloud.google.com",
    "awscli.amazonaws.com",
    "cli.github.com",
    "tailscale.com",
    "get.pnpm.io",
    "pyenv.run",
)

_SH = r"(?:/usr)?(?:/bin/)?(?:ba|z|k|da|fi)?sh"
_FETCH = r"\b(?:curl|wget|fetch|lwp-download|aria2c)\b"
_EXFIL = (
    r"\bcurl\b[^\n]*(?:\s-d\b|--data|\s-F\b|--form|\s-T\b|--upload-file|-X\s*POST)|\bwget\b[^\n]*--post-(?:data|file)"
    r"|\b(?:nc|ncat|netcat)\b|/dev/tcp/|requests\.(?:post|put)|urlopen|invoke-webrequest|invoke-restmethod"
    r"|uploadfile|uploadstring|smtplib|\bscp\b|\bftp\b|discord(?:app)?\.com/api/webhooks|api\.telegram\.org"
    r"|pastebin\.com|transfer\.sh|ngrok|fetch\s*\(|xmlhttprequest|sendall|\.send\("
)
_PAYLOAD = (
    _FETCH + r"[^\n]*\|\s*(?:sudo\s+)?" + _SH + r"\b|/dev/tcp/|\b(?:nc|ncat|netcat)\b[^\n]*\s-[a-z]*[ec]\b"
    r"|base64\s+(?:-d|--decode)|/dev/shm/|/tmp/\.[\w.]|\bbash\s+-i\b|python[23]?\s+-c\s*['\"][^\n]*socket"
    r"|downloadstring|invoke-expression|\biex\b|-enc(?:odedcommand)?\s|\bmshta\b|\bregsvr32\b|" + _FETCH
)

RULES: tuple[Rule, ...] = (
    # --- reverse and bind shells -----------------------------------------------------------------------------
    _r(
        "bash_dev_tcp_shell",
        "reverse_shell",
        0.95,
        r"/dev/(?:tcp|udp)/[\w.\-\[\]:]+/\d+",
        r"\b(?:ba|z|k|da)?sh\b[^\n]*\s-[a-z]*i\b|0\s*>\s*&\s*1|>&\s*/dev/(?:tcp|udp)/|<&\s*\d|\bwhile\s+read\b"
        r"|exec\s+\d+\s*<>\s*/dev/",
    ),
    _r(
        "netcat_bind_shell",
        "bind_shell",
        0.95,
        r"\b(?:nc|ncat|netcat)(?:\.traditional|\.openbsd|\.exe)?\s[^\n|;]*-[a-z]*l[a-z]*\b[^\n|;]*-(?:[a-z]*e|c)\s+['\"]?\S*(?:sh|cmd(?:\.exe)?|powershell(?:\.exe)?)\b",
    ),
    _r(
        "netcat_exec_shell",
        "reverse_shell",
        0.95,
        r"\b(?:nc|ncat|netcat)(?:\.traditional|\.openbsd|\.exe)?\s[^\n|;]*-(?:[a-z]*e|c)\s+['\"]?\S*(?:sh|cmd(?:\.exe)?|powershell(?:\.exe)?)\b",
        none_of=(r"\b(?:nc|ncat|netcat)\S*\s[^\n|;]*-[a-z]*l",),
    ),
    _r(
        "fifo_shell",
        "reverse_shell",
        0.9,
        r"\bmkfifo\b|\bmknod\b[^\n]*\sp\b",
        r"\b(?:nc|ncat|netcat|telnet)\b|openssl\s+s_client",
        r"\b" + _SH + r"\b",
    ),
    _r(
        "socat_shell",
        "reverse_shell",
        0.9,
        r"\bsocat\b[^\n]*(?:\b(?:exec|system):[^\n]*(?:sh|bash|cmd|powershell)|tcp[^\n]*\bpty\b)",
    ),
    _r("telnet_pipe_shell", "reverse_shell", 0.9, r"\btelnet\b[^\n]*\|\s*" + _SH + r"\b[^\n]*\|\s*telnet\b"),
    _r("awk_inet_shell", "reverse_shell", 0.9, r"\b(?:g|m)?awk\b[^\n]*/inet/tcp/"),
    _r("xterm_display", "reverse_shell", 0.8, r"\bxterm\s+-display\s+\d"),
    _r(
        "script_socket_shell",
        "reverse_shell",
        0.9,
        r"fsockopen|tcpsocket|io::socket|\bsocket\s*\(|socket\.socket|net\.socket|net\.connect|createconnection",
        r"\b(?:exec|system|popen|spawn|proc_open|shell_exec|passthru|execsync)\b|\bdup2\b|pty\.spawn",
        r"/bin/(?:ba|z)?sh\b|\bcmd\.exe\b|\bsh\s+-i\b|['\"](?:ba)?sh['\"]|powershell",
    ),
    _r(
        "powershell_tcp_shell",
        "reverse_shell",
        0.95,
        r"net\.sockets\.tcpclient|system\.net\.sockets\.socket|net\.sockets\.tcplistener",
        r"getstream\s*\(",
        r"\biex\b|invoke-expression|out-string|start-process|cmd\.exe|\[text\.encoding\]|\.write\(",
    ),
    # --- download and execute --------------------------------------------------------------------------------
    _r(
        "fetch_pipe_shell",
        "download_execute",
        0.85,
        _FETCH + r"[^\n|;]*\|\s*(?:sudo\s+)?(?:-?\w+=\S+\s+)?(?:" + _SH + r"|python[23]?|perl|ruby|node|php)\b",
        trusted=True,
    ),
    _r(
        "shell_process_substitution_fetch",
        "download_execute",
        0.85,
        r"(?:\b" + _SH + r"\s+(?:-c\s+)?['\"]?|\bsource\s+|\beval\s+['\"]?|(?:^|[;&|]\s*)\.\s+)(?:<\(|\$\(|`)\s*"
        r"(?:sudo\s+)?" + _FETCH,
        trusted=True,
    ),
    _r(
        "fetch_chmod_run_tmp",
        "download_execute",
        0.85,
        _FETCH + r"|\btftp\b",
        r"\bchmod\s+(?:-\w+\s+)*(?:[ugoa]*\+[rw]*x|[0-7]?[0-7][0-7][1357])\b",
        r"(?:^|[;&|(]\s*|\bnohup\s+|\bsetsid\s+|\bsh\s+)(?:/tmp|/dev/shm|/var/tmp)/[\w.\-]+",
    ),
    _r(
        "powershell_download_iex",
        "download_execute",
        0.9,
        r"\biex\b|invoke-expression|\.invoke\s*\(|scriptblock\]::create",
        r"downloadstring|downloaddata|downloadfile|invoke-webrequest|\biwr\b|invoke-restmethod|\birm\b"
        r"|net\.webclient|start-bitstransfer|msxml2\.xmlhttp",
        trusted=True,
    ),
    _r(
        "lolbin_download",
        "download_execute",
        0.85,
        r"\bcertutil(?:\.exe)?\b[^\n]*-urlcache[^\n]*\s-f\b|\bbitsadmin(?:\.exe)?\b[^\n]*/transfer\b"
        r"|\bmshta(?:\.exe)?\s+['\"]?(?:https?|vbscript|javascript):|\bregsvr32(?:\.exe)?\b[^\n]*/i:\s*['\"]?https?:"
        r"|\brundll32(?:\.exe)?\b[^\n]*javascript:|\bmsiexec(?:\.exe)?\b[^\n]*/i\s*['\"]?https?://",
    ),
    _r(
        "vbs_downloader",
        "download_execute",
        0.85,
        r"msxml2\.(?:server)?xmlhttp|winhttp\.winhttprequest",
        r"adodb\.stream|savetofile",
        r"wscript\.shell|shell\.application|\.run\b|shellexecute",
    ),
    # --- destructive -----------------------------------------------------------------------------------------
    _r(
        "rm_root",
        "destructive",
        0.9,
        r"\brm\s+(?:-[\w-]+\s+)*-[a-z]*r[a-z]*\s+(?:-[\w-]+\s+)*['\"]?(?:/|/\*|~/?\*?|\$home/?\*?|\$\{home\}/?"
        r"|/(?:etc|usr|bin|boot|var|lib|lib64|home|root|sbin|dev|sys|proc|opt)/?\*?)['\"]?(?:[\s;&|)]|$)",
    ),
    _r("rm_no_preserve_root", "destructive", 0.95, r"--no-preserve-root"),
    _r(
        "disk_wipe",
        "destructive",
        0.85,
        r"\bdd\b[^\n]*\bif=/dev/(?:zero|urandom|random)\b[^\n]*\bof=/dev/(?:sd[a-z]|hd[a-z]|nvme\d+n\d+|xvd[a-z]|vd[a-z]|mmcblk\d+|disk\d+)"
        r"|\bdd\b[^\n]*\bof=/dev/(?:sd[a-z]|hd[a-z]|nvme\d+n\d+|xvd[a-z]|vd[a-z])\b[^\n]*\bif=/dev/(?:zero|urandom|random)\b"
        r"|\bshred\b[^\n]*/dev/(?:sd[a-z]|hd[a-z]|nvme\d)|>\s*/dev/(?:sd[a-z]|hd[a-z]|nvme\d+n\d+)(?:[\s;&|]|$)"
        r"|\bmkfs(?:\.\w+)?\s+(?:-\w+\s+)*/dev/(?:sda|hda|xvda|vda|nvme0n1)(?:[\s;&|]|$)",
    ),
    _r(
        "fork_bomb",
        "destructive",
        0.9,
        r"(?:\w+|:)\s*\(\)\s*\{\s*(?:\w+|:)\s*\|\s*(?:\w+|:)\s*&\s*\}\s*;|%0\s*\|\s*%0|\bfork\s+while\s+fork\b"
        r"|while\s*\(?\s*(?:true|1)\s*\)?\s*:?\s*(?:do\s+)?\{?\s*(?:os\.)?fork\s*\(\s*\)",
    ),
    _r(
        "windows_destroy",
        "destructive",
        0.9,
        r"\bvssadmin(?:\.exe)?\s+delete\s+shadows|\bwmic(?:\.exe)?\s+shadowcopy\s+delete|\bbcdedit\b[^\n]*recoveryenabled\s+no"
        r"|\bwbadmin(?:\.exe)?\s+delete\s+(?:catalog|systemstatebackup)|\bformat(?:\.com)?\s+[a-z]:\s*(?:/[qyx]\b|$)"
        r"|\brd\s+/s\s+/q\s+[a-z]:\\\s*(?:$|[&|])|\bdel\s+(?:/[fsqa]\s+)+[a-z]:\\\*?(?:\s|$)"
        r"|remove-item\b[^\n]*-recurse[^\n]*['\"]?(?:[a-z]:\\\*?|\$env:systemroot)['\"]?(?:\s|$)",
    ),
    _r(
        "defense_evasion",
        "destructive",
        0.8,
        r"set-mppreference\b[^\n]*-disable(?:realtimemonitoring|behaviormonitoring|ioavprotection)\s+\$?(?:true|1)"
        r"|\bwevtutil(?:\.exe)?\s+cl\b|clear-eventlog\b|\bnetsh\s+advfirewall\s+set\s+\w+\s+state\s+off"
        r"|\bsetenforce\s+0\b[^\n]*;[^\n]*(?:curl|wget)|\bchattr\s+\+i\b[^\n]*(?:authorized_keys|/etc/passwd)",
    ),
    # --- credential and browser-data theft -------------------------------------------------------------------
    _r(
        "browser_credentials",
        "credential_theft",
        0.85,
        r"login data|logins\.json|key[34]\.db|cookies\.sqlite"
        r"|(?:chrome|chromium|edge|brave|opera)[^\n]{0,80}(?:user data|local state|\bcookies\b)"
        r"|cryptunprotectdata|encrypted_key",
    ),
    _r(
        "credential_dumping",
        "credential_theft",
        0.95,
        r"\bmimikatz\b|sekurlsa::|lsadump::|kerberos::golden|privilege::debug|\blazagne\b"
        r"|\bprocdump(?:64)?(?:\.exe)?\b[^\n]*\blsass|comsvcs(?:\.dll)?[^\n]*minidump|\blsass\b[^\n]*\.dmp\b"
        r"|\breg(?:\.exe)?\s+save\s+hklm\\(?:sam|system|security)\b|\bntds\.dit\b"
        r"|\bsecurity\s+(?:dump-keychain|find-(?:generic|internet)-password\b[^\n]*\s-[a-z]*[wg])|\bunshadow\b",
    ),
    _r(
        "secret_file_exfiltration",
        "credential_theft",
        0.9,
        r"\.ssh/id_(?:rsa|dsa|ecdsa|ed25519)(?:[^.\w]|$)|/etc/shadow\b|\.aws/credentials|\.kube/config|\.git-credentials"
        r"|\.docker/config\.json|\bwallet\.dat\b|\.gnupg/|\.netrc\b|\.bash_history\b",
        _EXFIL,
        none_of=(r"\bssh-keygen\b|\bssh-copy-id\b",),
    ),
    _r("shadow_read", "credential_theft", 0.55, r"\b(?:cat|less|more|head|tail|cp|strings)\s+/etc/shadow\b"),
    # --- persistence -----------------------------------------------------------------------------------------
    _r(
        "persistence_with_payload",
        "persistence",
        0.85,
        r"crontab|/etc/cron|/var/spool/cron|/etc/systemd/system|systemctl\s+enable|/etc/rc\.local|/etc/init\.d"
        r"|\.bashrc|\.bash_profile|\.zshrc|\.profile\b|launchagents|launchdaemons|currentversion\\run|\\startup\\"
        r"|schtasks(?:\.exe)?\b[^\n]*/create|register-scheduledtask|new-scheduledtask|__eventfilter|authorized_keys",
        _PAYLOAD,
    ),
    _r("sudo_alias_backdoor", "persistence", 0.8, r"\balias\s+sudo\s*=|ld\.so\.preload"),
    _r(
        "run_key",
        "persistence",
        0.55,
        r"\breg(?:\.exe)?\s+add\s+['\"]?hk(?:cu|lm|ey_current_user|ey_local_machine)\\software\\microsoft\\windows\\currentversion\\run",
    ),
    # --- obfuscated payloads ---------------------------------------------------------------------------------
    _r(
        "base64_pipe_exec",
        "obfuscation",
        0.85,
        r"base64\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b[^\n]*\|\s*(?:sudo\s+)?(?:" + _SH + r"|python[23]?|perl)\b",
    ),
    _r(
        "js_eval_decode",
        "obfuscation",
        0.8,
        r"\beval\s*\(\s*(?:atob|unescape|decodeuricomponent|string\.fromcharcode|buffer\.from)\s*\("
        r"|new\s+function\s*\(\s*(?:atob|unescape)\s*\(|document\.write\s*\(\s*unescape\s*\("
        r"|\beval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e",
    ),
    _r(
        "php_webshell",
        "obfuscation",
        0.9,
        r"\b(?:eval|assert|create_function)\s*\(\s*(?:base64_decode|gzinflate|gzuncompress|str_rot13|gzdecode)\s*\("
        r"|\b(?:eval|assert|system|passthru|shell_exec|exec|popen)\s*\(\s*\$_(?:get|post|request|cookie)\b",
    ),
    _r(
        "powershell_decode_exec",
        "obfuscation",
        0.85,
        r"frombase64string|-join\s*\(?\s*\[char|\[char\]\s*0x|\[char\]\s*\d+\s*\+|-bxor\b",
        r"\biex\b|invoke-expression|\.invoke\s*\(|scriptblock\]::create|\|\s*&\s*\(",
    ),
    _r(
        "powershell_hidden_encoded",
        "obfuscation",
        0.75,
        r"\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]*\s-(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc\w*)\s+[a-z0-9+/=]{16,}",
    ),
    _r(
        "python_exec_decode",
        "obfuscation",
        0.85,
        r"\b(?:exec|eval)\s*\(\s*(?:compile\s*\(\s*)?(?:base64\.b(?:64|32|16|85)decode|__import__\s*\(\s*['\"](?:base64|zlib|marshal|codecs)"
        r"|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex|['\"]['\"]\.join\s*\(\s*(?:map\s*\(\s*)?chr)",
    ),
    # --- exploits, miners ------------------------------------------------------------------------------------
    _r(
        "log4shell",
        "exploit",
        0.9,
        r"\$\{\s*jndi\s*:|\$\{[^}\n]{0,120}j[^}\n]{0,20}n[^}\n]{0,20}d[^}\n]{0,20}i[^}\n]{0,20}:[^}\n]{0,20}(?:ldap|rmi|dns|iiop)",
    ),
    _r("shellshock", "exploit", 0.9, r"\(\)\s*\{\s*:?\s*;\s*\}\s*;"),
    _r(
        "path_traversal",
        "exploit",
        0.8,
        r"(?:\.\./|\.\.\\|%2e%2e%2f|%2e%2e/|\.\.%2f){3,}[^\s'\"]{0,40}(?:etc/passwd|etc/shadow|win\.ini|boot\.ini|system32)",
    ),
    _r("xxe_entity", "exploit", 0.85, r"<!entity\s+%?\s*\S+\s+system\s+['\"](?:file|https?|php|expect|ftp)://"),
    _r("ssti_payload", "exploit", 0.85, r"\{\{[^}\n]{0,200}__(?:class|mro|subclasses|globals|builtins)__"),
    _r("java_deserialization", "exploit", 0.7, r"\bysoserial\b|\brO0AB[A-Za-z0-9+/]{20}"),
    _r("cryptominer", "cryptominer", 0.8, r"stratum\+(?:tcp|ssl)://|\bxmrig\b|\bminerd\b|--donate-level|\bcpuminer\b"),
)

#: Rules for values injected into a command line (tool arguments, form fields): a value, then a separator, then a
#: command. Only applied to short single-line units, where a separator is not ordinary script syntax.
INJECTION_RULES: tuple[Rule, ...] = (
    _r(
        "separator_then_command",
        "command_injection",
        0.85,
        r"^\s*(?:['\"]|[\w\-]+(?:\.[\w\-]+)+|\d{1,3}(?:\.\d{1,3}){3}|[\w\-]+['\"])?\s*['\"]?\s*(?:;|&&|\|\||\||%0a|%3b|\n)\s*"
        r"(?:cat|rm|nc|ncat|curl|wget|bash|sh|id|whoami|uname|ping|nslookup|powershell|cmd|python[23]?|perl|ls|dir|net|type)\b",
    ),
    _r(
        "command_substitution_in_value",
        "command_injection",
        0.8,
        r"\$\(\s*(?:whoami|id|uname|hostname|cat\s+/etc/|curl|wget|nc|bash|sh|sleep)\b|`\s*(?:whoami|id|uname|hostname|cat\s+/etc/|curl|wget|nc|sleep)\b[^`]*`",
    ),
)


_EMPTY_QUOTES = re2.compile(r"''|\"\"")
_BACKSLASH_LETTER = re2.compile(r"\\([A-Za-z])")
_CONT = re2.compile(r"\\\r?\n")
_PS_CONCAT = re2.compile(r"['\"]\s*\+\s*['\"]")
_CARET = re2.compile(r"\^([A-Za-z])")
#: Log4j lookups that only yield a few characters (``${lower:j}``, ``${::-n}``, ``${env:X:-d}``).
_LOOKUP = re2.compile(r"\$\{[^${}]{0,30}:-?([^${}:]{1,3})\}")


def normalize(code: str, language: str) -> str:
    """Undo cheap evasions so rules see the intended tokens.

    Shell: line continuations, empty quotes (``c''url``), backslash-escaped letters (``c\\url``; callers also
    match the raw text, so Windows paths such as ``hklm\\sam`` survive). PowerShell:
    backtick escapes (``I`E`X``) and string concatenation (``'Down'+'loadString'``). Batch: caret escapes
    (``p^o^w^e^r^s^h^e^l^l``). Unknown languages get all of them. Every language: Log4j lookups that yield a
    few characters are folded (``${${lower:j}ndi:`` -> ``${jndi:``).
    """
    out = _CONT.sub("", code)
    if language in ("shell", "text", "batch"):
        out = _EMPTY_QUOTES.sub("", out)
    if language in ("shell", "text"):
        out = _BACKSLASH_LETTER.sub(r"\1", out)
    if language in ("powershell", "text", "batch"):
        out = out.replace("`", "")
        out = _PS_CONCAT.sub("", out)
    if language in ("batch", "text", "powershell"):
        out = _CARET.sub(r"\1", out)
    for _ in range(3):
        if "${" not in out:
            break
        folded = _LOOKUP.sub(r"\1", out)
        if folded == out:
            break
        out = folded
    return str(out)
