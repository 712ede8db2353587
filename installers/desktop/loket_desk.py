"""The bundle's entry point (installers/desktop/loket-desk.spec): ``loket-desk``'s main()."""

import multiprocessing
import sys

from desktop.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen program must call it before anything else
    sys.exit(main())
