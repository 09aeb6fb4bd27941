"""The contract suite: checks any target (emulator in-process or live, a URL, the real API)
against the schemas. See the README's contracts section.

Adding a family's stateful test is one file, ``test_state_<family>.py``: a
``RuleBasedStateMachine`` whose rules call ``self.target.call(name, json=..., params=...)``,
compare with a small reference model, create what they need inside a ``Sandbox`` and delete
it in ``teardown``; run it with ``run_state_machine_as_test`` and ``STATE_SETTINGS`` from
``test_state_contacts``, taking the ``writer`` fixture (skipped against the real API unless
``--allow-writes``). There are machines for contacts, tags, customer remarks
(``test_state_external_contact``) and approvals (``test_state_oa``, emulators only: the
real API cannot approve or withdraw an application).
"""
