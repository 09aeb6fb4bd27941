"""Live streams (直播): lives created by API, their status over time, watch statistics."""

from mock_server.services.oa.living import handlers as handlers
