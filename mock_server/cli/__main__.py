"""``python -m mock_server.cli``."""

from mock_server.cli import main

raise SystemExit(main())
