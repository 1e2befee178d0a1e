from spinesite.cli import run

run()
