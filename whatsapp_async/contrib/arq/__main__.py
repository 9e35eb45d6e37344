"""``python -m whatsapp_async.contrib.arq``: run a worker (see :func:`.cli.main`).

Example::

    python -m whatsapp_async.contrib.arq --config whatsapp.toml --profile prod
"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
