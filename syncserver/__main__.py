from syncserver.cli import main

raise SystemExit(main())
