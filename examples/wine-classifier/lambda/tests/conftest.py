"""The handler under test: the image's (LAMBDA_TASK_ROOT), or in a checkout the one beside these tests."""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or str(HERE.parent))
