"""Screens of the desktop app, one module per screen: login, main window, registration form,
registration list, record view, drafts. Views get the services they need injected."""
