"""The one assembly: the engine with every shipped plugin, and the Python API on top.

``Emulator`` is what users build (``Emulator()``, ``intercept()``, the pytest fixtures, the
server). Each family's Python API is an object on it (``emu.contacts``, ``emu.messaging``,
``emu.external_contact``, ``emu.oa``, ``emu.callbacks``, ``emu.apps``, ``emu.identity``,
``emu.faults``, ``emu.contracts``);
the shortcuts that read well in a test (``wecom.assert_sent(...)``, ``wecom.approve(...)``)
are bound to those objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mock_server.contracts.api import ContractsAPI
from mock_server.contracts.plugin import plugin as contracts_plugin
from mock_server.core.clock import Clock
from mock_server.core.engine import Engine, FixtureSource
from mock_server.core.journal import DEFAULT_SIZE
from mock_server.core.plugin import Plugin
from mock_server.core.registry import Registry
from mock_server.core.storage import Storage
from mock_server.faults.api import FaultsAPI
from mock_server.faults.plugin import plugin as faults_plugin
from mock_server.services.apps.api import AppsAPI
from mock_server.services.apps.plugin import plugin as apps_plugin
from mock_server.services.auth.plugin import plugin as auth_plugin
from mock_server.services.callbacks.api import CallbacksAPI
from mock_server.services.callbacks.plugin import plugin as callbacks_plugin
from mock_server.services.contacts.api import ContactsAPI
from mock_server.services.contacts.plugin import plugin as contacts_plugin
from mock_server.services.contacts_jobs.api import ContactsJobsAPI
from mock_server.services.contacts_jobs.plugin import plugin as contacts_jobs_plugin
from mock_server.services.external_contact.api import ExternalContactAPI
from mock_server.services.external_contact.plugin import plugin as external_contact_plugin
from mock_server.services.identity.api import IdentityAPI
from mock_server.services.identity.plugin import plugin as identity_plugin
from mock_server.services.messaging.api import MessagingAPI
from mock_server.services.messaging.plugin import plugin as messaging_plugin
from mock_server.services.oa.api import OAAPI
from mock_server.services.oa.plugin import plugin as oa_plugin

if TYPE_CHECKING:
    from mock_server.core.inprocess import Interceptor

# The shipped plugins. Order: fixture sections load by their own ``order``; hooks run in
# this order (contract checks see the real answer before a fault rule replaces it).
PLUGINS: tuple[Plugin, ...] = (
    auth_plugin,
    contacts_plugin,
    contacts_jobs_plugin,
    messaging_plugin,
    external_contact_plugin,
    oa_plugin,
    callbacks_plugin,
    apps_plugin,
    identity_plugin,
    contracts_plugin,
    faults_plugin,
)


def default_registry() -> Registry:
    """Every shipped endpoint (the CLI, docs and OpenAPI read it without building corps)."""
    return Registry(f for p in PLUGINS for f in p.families)


class Emulator(Engine):
    """A WeCom server: one or more corps, answering like qyapi.weixin.qq.com.

    >>> emu = Emulator()                      # the demo company
    >>> emu = Emulator(["my_corp.yaml"], seed=7)
    """

    def __init__(
        self,
        fixtures: Sequence[FixtureSource] | None = None,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        journal_size: int = DEFAULT_SIZE,
        strict: bool = False,
        mode: str = "inprocess",
        plugins: Sequence[Plugin] = PLUGINS,
        state: str | Path | None = None,
        storage: Storage | None = None,
    ) -> None:
        super().__init__(
            plugins,
            fixtures,
            seed=seed,
            clock=clock,
            journal_size=journal_size,
            strict=strict,
            mode=mode,
            state=state,
            storage=storage,
        )
        # -- the families' Python APIs -----------------------------------------------------
        self.contacts = self.api("contacts", ContactsAPI)
        self.contacts_jobs = self.api("contacts_jobs", ContactsJobsAPI)
        self.messaging = self.api("messaging", MessagingAPI)
        self.external_contact = self.api("external_contact", ExternalContactAPI)
        self.oa = self.api("oa", OAAPI)
        self.callbacks = self.api("callbacks", CallbacksAPI)
        self.apps = self.api("apps", AppsAPI)
        self.identity = self.api("identity", IdentityAPI)
        self.faults = self.api("faults", FaultsAPI)
        self.contracts = self.api("contracts", ContractsAPI)

        # -- shortcuts that read well in a test ----------------------------------------------
        self.user = self.contacts.user
        self.add_user = self.contacts.add_user
        jobs = self.contacts_jobs
        self.import_jobs = jobs.import_jobs
        self.export_jobs = jobs.export_jobs
        self.run_jobs = jobs.run_jobs
        self.set_import_rate = jobs.set_import_rate
        self.invited_users = jobs.invited_users
        self.activate_user = jobs.activate_user
        self.messages = self.messaging.messages
        self.assert_sent = self.messaging.assert_sent
        self.clear_messages = self.messaging.clear_messages
        self.upload_media = self.messaging.upload_media
        self.robots = self.messaging.robots
        ext = self.external_contact
        self.external_contacts = ext.external_contacts
        self.load_external_contact = ext.load_external_contact
        self.customer_add_follow = ext.customer_add_follow
        self.customer_delete_follow = ext.customer_delete_follow
        self.follow_delete_customer = ext.follow_delete_customer
        self.create_customer_group = ext.create_customer_group
        self.customer_join_group = ext.customer_join_group
        self.customer_leave_group = ext.customer_leave_group
        self.dismiss_customer_group = ext.dismiss_customer_group
        self.scrm_action = ext.scrm_action
        self.scan_contact_way = ext.scan_contact_way
        self.accept_contact_request = ext.accept_contact_request
        self.customer_messages = ext.customer_messages
        self.confirm_groupmsg = ext.confirm_groupmsg
        self.resolve_transfer = ext.resolve_transfer
        self.member_resigns = ext.member_resigns
        self.approve = self.oa.approve
        self.reject = self.oa.reject
        self.revoke_approval = self.oa.revoke_approval
        self.comment_approval = self.oa.comment_approval
        self.approval = self.oa.approval
        self.approvals = self.oa.approvals
        cb = self.callbacks
        self.set_callback = cb.set_callback
        self.callback_config = cb.callback_config
        self.verify_callback = cb.verify_callback
        self.configure_callbacks = cb.configure_callbacks
        self.callback_deliveries = cb.callback_deliveries
        self.flush_callbacks = cb.flush_callbacks
        self.emit_callback_event = cb.emit_callback_event
        self.sandbox_user_message = cb.sandbox_user_message
        self.sandbox_app_event = cb.sandbox_app_event
        self.menu_click = self.apps.menu_click
        self.set_app_privacy = self.apps.set_app_privacy
        self.app_settings = self.apps.app_settings
        idn = self.identity
        self.authorize_url = idn.authorize_url
        self.oauth_login = idn.oauth_login
        self.oauth_code = idn.oauth_code
        self.wechat_users = idn.wechat_users
        self.jsapi_signature = idn.jsapi_signature
        self.check_jsapi_signature = idn.check_jsapi_signature
        self.jssdk_upload_voice = idn.jssdk_upload_voice
        self.fault = self.faults.fault
        self.add_faults = self.faults.add_faults
        self.remove_fault = self.faults.remove_fault
        self.clear_faults = self.faults.clear_faults
        self.set_rate_limits = self.faults.set_rate_limits
        self.rate_limits = self.faults.rate_limits
        self.set_trusted_ips = self.faults.set_trusted_ips
        self.rotate_secret = self.faults.rotate_secret
        self.set_strict = self.contracts.set_strict
        self.contract_warnings = self.contracts.warnings

    def intercept(
        self, *, base_urls: Sequence[str] | None = None, guard: bool | None = None
    ) -> Interceptor[Emulator]:
        """Route ``requests``/``httpx``/``aiohttp`` calls to qyapi.weixin.qq.com into this
        emulator (no sockets); the network guard stops any other way to the real host."""
        from mock_server.core.inprocess import Interceptor

        return Interceptor(self, base_urls=base_urls, guard=guard)


__all__ = ["PLUGINS", "Emulator", "default_registry"]
