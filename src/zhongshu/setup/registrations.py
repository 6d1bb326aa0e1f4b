"""What the go-live checklist adds to the shared registries: its entry in the main navigation,
and the steps and landing pages of the apps that have not declared their own (``steps``)."""

from zhongshu.core.landing import landing
from zhongshu.core.navigation import nav_entry
from zhongshu.core.setup_steps import setup_step

from .steps import declare_defaults

nav_entry("setup", "setup.view")
declare_defaults(setup_step, landing)
