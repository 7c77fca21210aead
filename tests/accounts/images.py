"""Small generated images for the avatar comparisons."""

import io

from PIL import Image, ImageDraw


def logo(fmt: str = "PNG", size: int = 200, variant: int = 0) -> bytes:
    img = Image.new("RGB", (200, 200), "white")
    draw = ImageDraw.Draw(img)
    if variant == 0:
        draw.ellipse((30, 30, 170, 170), fill=(200, 20, 20))
        draw.rectangle((90, 10, 110, 190), fill=(20, 20, 120))
    else:
        draw.polygon([(0, 200), (100, 0), (200, 200)], fill=(20, 160, 60))
        draw.rectangle((0, 0, 60, 60), fill=(0, 0, 0))
    img = img.resize((size, size))
    out = io.BytesIO()
    img.save(out, format=fmt, quality=70)
    return out.getvalue()
