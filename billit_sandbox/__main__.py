from billit_sandbox.cli import main

main()
