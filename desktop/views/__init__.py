"""Screens of the desktop app, one module per screen: login, main window, registration form,
registration list, drafts (windows of their own, such as the record view, are in
``desktop/dialogs``). Views get the services they need injected."""
