"""The local chat page: `python app.py [--host 127.0.0.1] [--port 7860] [--llm ...] [--verbose]`."""

import sys

from assistant.app import main

if __name__ == "__main__":
    args = sys.argv[1:]
    verbose = [a for a in args if a in ("-v", "--verbose")]
    sys.exit(main([*verbose, "serve", *(a for a in args if a not in verbose)]))
