"""What the tests share: the permission-matrix runner (matrix), the database fingerprint
(fingerprint), the headless Chromium fixture (browser) and the thread race helper (threads).

Test modules import from here (or from their app's conftest, factories and helper modules), never
from another test module; tests/test_layout.py checks that.
"""
