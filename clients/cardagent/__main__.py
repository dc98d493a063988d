"""``python -m clients.cardagent --module <PKCS#11 module> --origin <hub origin>``"""

from __future__ import annotations

import logging

import click

from .agent import AgentConfig, AgentServer


@click.command()
@click.option(
    "--module",
    required=True,
    envvar="CARDAGENT_MODULE",
    help="PKCS#11 module of the card, e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so.",
)
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    envvar="CARDAGENT_ORIGINS",
    help="Origin of a hub whose pages may use the card, e.g. https://sso.example.tw.",
)
@click.option("--port", default=61180, show_default=True, type=int)
def main(module: str, origins: tuple[str, ...], port: int) -> None:
    """Run the card agent on 127.0.0.1."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = AgentServer(AgentConfig(module=module, origins=frozenset(origins), port=port))
    click.echo(
        f"card agent on http://127.0.0.1:{server.server_address[1]} for {', '.join(origins)}"
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
