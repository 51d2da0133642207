/// The Python program `POST /analyze` runs in the strict sandbox: it reads the code to analyze on stdin, parses it
/// with Python's own `ast` (never executing it), classifies every imported root module (`sys.stdlib_module_names`,
/// then `importlib.util.find_spec` for what is installed in the sandbox's interpreter) and flags risky constructs.
/// It prints one JSON object, which `ImportAnalysis.decode` validates.
///
/// Kept as a Swift string so that the analyzer can never be missing or differ from the binary's expectations.
enum AnalyzerScript {
    static let source = #"""
import ast, importlib.metadata, importlib.util, json, sys

# The analyzer must not find the job's own directory (main.py) as a module.
sys.path[:] = [p for p in sys.path[1:] if p not in ("", ".")]

RISKY_CALLS = {
    "eval": "eval() runs arbitrary code",
    "exec": "exec() runs arbitrary code",
    "compile": "compile() builds code objects from text",
    "__import__": "__import__() imports modules by computed name",
}
RISKY_ATTRIBUTE_CALLS = {
    ("os", "system"): "os.system() runs a shell command",
    ("os", "popen"): "os.popen() runs a shell command",
    ("os", "fork"): "os.fork() creates processes",
    ("os", "kill"): "os.kill() sends signals",
    ("pty", "spawn"): "pty.spawn() runs a program on a pseudo-terminal",
    ("importlib", "import_module"): "importlib.import_module() imports modules by computed name",
}
RISKY_PREFIXES = {("os", "exec"): "os.exec*() replaces the process", ("os", "spawn"): "os.spawn*() runs programs"}
RISKY_MODULES = {
    "subprocess": "subprocess runs external programs",
    "pty": "pty spawns programs on pseudo-terminals",
    "ctypes": "ctypes calls native code and can corrupt memory",
    "cffi": "cffi calls native code",
    "socket": "socket opens network connections",
    "multiprocessing": "multiprocessing creates processes",
}
WRITE_MODES = set("wax+")
ALIASES = {"yaml": "PyYAML", "PIL": "Pillow", "cv2": "opencv-python", "sklearn": "scikit-learn",
           "bs4": "beautifulsoup4", "dateutil": "python-dateutil", "dotenv": "python-dotenv",
           "jwt": "PyJWT", "serial": "pyserial", "skimage": "scikit-image", "attr": "attrs"}


def dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return list(reversed(parts))
    return None


def open_warning(call):
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    if mode is None:
        return None
    if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
        return "open() with a computed mode may write files"
    if not WRITE_MODES & set(mode.value):
        return None
    path = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "file"), None)
    if isinstance(path, ast.Constant) and isinstance(path.value, str):
        if not path.value.startswith("/") or path.value == "/tmp" or path.value.startswith("/tmp/"):
            return None
        return "open() writes %r, outside /tmp and the working directory" % path.value
    return "open() writes to a computed path"


def analyze(source):
    report = {"imports": {}, "standard_library": [], "third_party": [], "unknown": [], "required_packages": [],
              "syntax_error": None, "warnings": []}
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        report["syntax_error"] = {"message": error.msg, "line": error.lineno, "column": error.offset}
        return report
    except (ValueError, RecursionError, MemoryError) as error:
        report["syntax_error"] = {"message": str(error) or type(error).__name__, "line": None, "column": None}
        return report
    roots, warnings = set(), set()
    try:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module] if node.level == 0 and node.module else []
            else:
                names = []
            for name in names:
                root = name.split(".")[0]
                roots.add(root)
                if root in RISKY_MODULES:
                    warnings.add((node.lineno, "imports %s: %s" % (root, RISKY_MODULES[root])))
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name):
                    if node.func.id in RISKY_CALLS:
                        warnings.add((node.lineno, RISKY_CALLS[node.func.id]))
                    elif node.func.id == "open":
                        message = open_warning(node)
                        if message:
                            warnings.add((node.lineno, message))
                path = dotted(node.func)
                if path and len(path) == 2:
                    key = tuple(path)
                    message = RISKY_ATTRIBUTE_CALLS.get(key) or next(
                        (m for (module, prefix), m in RISKY_PREFIXES.items()
                         if path[0] == module and path[1].startswith(prefix)), None)
                    if message:
                        warnings.add((node.lineno, message))
    except RecursionError:
        report["syntax_error"] = {"message": "the program is nested too deeply to analyze", "line": None,
                                  "column": None}
        return report
    distributions = importlib.metadata.packages_distributions()
    for root in sorted(roots):
        if root in sys.stdlib_module_names or root in sys.builtin_module_names:
            category = "standard_library"
        else:
            try:
                found = importlib.util.find_spec(root) is not None
            except (ImportError, ValueError):
                found = False
            category = "third_party" if found else "unknown"
            package = (distributions.get(root) or [ALIASES.get(root, root)])[0]
            if package not in report["required_packages"]:
                report["required_packages"].append(package)
        report["imports"][root] = category
        report[category].append(root)
    report["warnings"] = [{"line": line, "message": message} for line, message in sorted(warnings)]
    return report


json.dump(analyze(sys.stdin.buffer.read()), sys.stdout, sort_keys=True)
"""#
}
