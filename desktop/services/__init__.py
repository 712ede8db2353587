"""Plain-Python services over the store (no Qt, except receipt.py which draws with
QtPrintSupport). The views and the headless CLI both use them."""
