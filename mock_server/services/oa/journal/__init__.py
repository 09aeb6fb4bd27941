"""Journals (汇报): report templates, reports submitted in the sandbox, statistics."""

from mock_server.services.oa.journal import fixture as fixture
from mock_server.services.oa.journal import handlers as handlers
