import sys

from ocr_playground.cli import main

sys.exit(main())
