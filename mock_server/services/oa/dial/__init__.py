"""Public phone (公费电话): call records."""

from mock_server.services.oa.dial import handlers as handlers
