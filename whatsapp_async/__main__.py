"""``python -m whatsapp_async`` runs the command-line interface."""

from ._cli import main

raise SystemExit(main())
