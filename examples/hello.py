# The demo job: runs in the strict sandbox and shows what it sees.
import os
import platform
import socket

print(f"Hello from BEXY: Python {platform.python_version()} as uid {os.getuid()}, pid {os.getpid()}")
print(f"hostname={socket.gethostname()} cwd={os.getcwd()} root={sorted(os.listdir('/'))}")
try:
    socket.create_connection(("1.1.1.1", 80), timeout=1)
    print("network: reachable")
except OSError as error:
    print(f"network: unavailable ({error.strerror})")
