"""Draw the example seller's wordmark: templates/assets/logo.png.

Nordwerk Engineering GmbH is fictional; this script makes its logo
reproducible. A square mark (a white "N" on a dark blue tile, its right
stem ending in a north arrow) sits left of the wordmark "NORDWERK" with "ENGINEERING" below it.

Run from the workspace root:  .venv/bin/python scripts/make_logo.py
Needs Pillow and the DejaVu fonts (/usr/share/fonts/truetype/dejavu/).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 300
SCALE = 4  # draw large, then downsample: smooth edges without blur
NAVY = (31, 58, 95, 255)  # #1F3A5F
STEEL = (90, 112, 140, 255)  # lighter companion for the tagline
ACCENT = (46, 134, 193, 255)  # #2E86C1, the "north" tip
WHITE = (255, 255, 255, 255)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
OUT = Path(__file__).resolve().parent.parent / "templates" / "assets" / "logo.png"


def s(value: float) -> int:
    return round(value * SCALE)


def draw_spaced(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, font, fill, tracking: float) -> int:
    """Draw text letter by letter with extra tracking; return the end x."""
    x, y = xy
    for i, ch in enumerate(text):
        draw.text((x, y), ch, font=font, fill=fill)
        x += draw.textlength(ch, font=font)
        if i < len(text) - 1:
            x += tracking
    return round(x)


def spaced_width(draw: ImageDraw.ImageDraw, text: str, font, tracking: float) -> float:
    return sum(draw.textlength(ch, font=font) for ch in text) + tracking * (len(text) - 1)


def draw_mark(draw: ImageDraw.ImageDraw, left: float, top: float, size: float) -> None:
    """A navy tile with a white "N" whose right stem ends in a north arrow."""
    draw.rounded_rectangle([s(left), s(top), s(left + size), s(top + size)], radius=s(size * 0.14), fill=NAVY)
    pad = size * 0.24
    bar = size * 0.15
    x0, x1 = left + pad, left + size - pad
    y0, y1 = top + pad + size * 0.04, top + size - pad
    shoulder = y0 + size * 0.08  # where the arrow head meets the right stem
    draw.rectangle([s(x0), s(y0), s(x0 + bar), s(y1)], fill=WHITE)
    draw.rectangle([s(x1 - bar), s(shoulder), s(x1), s(y1)], fill=WHITE)
    draw.polygon(
        [(s(x0), s(y0)), (s(x0 + bar), s(y0)), (s(x1), s(y1)), (s(x1 - bar), s(y1))],
        fill=WHITE,
    )
    head = bar * 0.85  # half width of the arrow head
    mid = x1 - bar / 2
    draw.polygon(
        [(s(mid - head), s(shoulder)), (s(mid + head), s(shoulder)), (s(mid), s(shoulder - head * 1.25))],
        fill=ACCENT,
    )


def main() -> None:
    image = Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    mark_size, gap = 200, 44
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), s(108))
    light = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), s(46))
    word, tagline = "NORDWERK", "ENGINEERING"
    word_tracking = s(5)
    word_width = spaced_width(draw, word, bold, word_tracking)
    # the tagline spans exactly the width of the wordmark
    tag_tracking = (word_width - spaced_width(draw, tagline, light, 0)) / (len(tagline) - 1)

    # centre mark + wordmark on the canvas
    total = s(mark_size + gap) + word_width
    mark_left = (WIDTH * SCALE - total) / 2 / SCALE
    mark_top = (HEIGHT - mark_size) / 2
    draw_mark(draw, mark_left, mark_top, mark_size)
    text_left = s(mark_left + mark_size + gap)

    # cap top of NORDWERK on the tile's top edge, tagline baseline on its bottom edge
    word_box = draw.textbbox((0, 0), word, font=bold)
    tag_box = draw.textbbox((0, 0), tagline, font=light)
    draw_spaced(draw, (text_left, s(mark_top) - word_box[1]), word, bold, NAVY, word_tracking)
    tag_top = s(mark_top + mark_size) - tag_box[3]
    word_bottom = s(mark_top) + word_box[3] - word_box[1]
    rule_y = (word_bottom + tag_top + tag_box[1]) // 2 - s(2)
    draw.rectangle([text_left, rule_y, text_left + round(word_width), rule_y + s(4)], fill=ACCENT)
    draw_spaced(draw, (text_left, tag_top), tagline, light, STEEL, tag_tracking)

    logo = image.resize((WIDTH, HEIGHT), Image.LANCZOS)
    bbox = logo.getbbox()
    if bbox is None or bbox[0] < 10 or bbox[2] > WIDTH - 10:
        raise SystemExit(f"wordmark does not fit the canvas: {bbox}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    logo.save(OUT, optimize=True)
    print(f"wrote {OUT} ({WIDTH}x{HEIGHT}, content box {bbox})")


if __name__ == "__main__":
    main()
