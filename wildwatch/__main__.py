import sys

from wildwatch.cli import main

sys.exit(main())
