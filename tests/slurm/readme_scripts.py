"""README.md's commands as the tests run them: the ```sh block after a line
`<!-- tested: KIND NAME -->`, with a few replacements (resources one machine has, problem sizes of
seconds), each of which must apply, so that a README edit that drops one fails the test instead of
going untested."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent.parent / "README.md"


class Stale(Exception):
    """README.md lacks the block, or the block lacks a text the test replaces."""


def block(tag):
    """The ```sh block that follows `<!-- tested: TAG -->` in README.md."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^<!-- tested: {re.escape(tag)} -->\n```sh\n(.*?)^```$", text,
                      re.M | re.S)
    if match is None:
        raise Stale(f"README.md has no ```sh block after '<!-- tested: {tag} -->'")
    return match[1]


def adapted(tag, replacements):
    """Block `tag` with each (README text, test text) replaced; returns (text, what was done)."""
    text = block(tag)
    for old, new in replacements:
        if old not in text:
            raise Stale(f"README.md's '{tag}' block no longer holds '{old}' (update the test's "
                        f"replacements):\n{text}")
        text = text.replace(old, new)
    return text, ", ".join(f"'{old}' -> '{new}'" for old, new in replacements)
