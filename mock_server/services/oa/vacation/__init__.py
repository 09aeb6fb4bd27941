"""Vacation (假期): leave types and balances, moved by approved leave requests."""

from mock_server.services.oa.vacation import fixture as fixture
from mock_server.services.oa.vacation import handlers as handlers
