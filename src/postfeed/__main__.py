import sys

from postfeed.cli import main

sys.exit(main())
