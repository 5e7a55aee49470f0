#!/usr/bin/env python3
"""Draws tests/bench/serve.sh's first table as an SVG bar chart: served
embeddings/s by client count, one bar per server variant, with the CLI
example's batch throughput as a line.

    python3 tests/bench/serve_chart.py serve.md chart.svg "title"
"""
import re
import sys

source, target, title = sys.argv[1], sys.argv[2], sys.argv[3]
rows, cli = [], None
for line in open(source, encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) == 6 and cells[1].isdigit():
        rows.append((cells[0], int(cells[1]), float(cells[2] or 0)))
    match = re.search(r"64 sentences in one call \| ([0-9.]+) embeddings/s", line)
    if match:
        cli = float(match.group(1))

variants = list(dict.fromkeys(r[0] for r in rows))
clients = sorted({r[1] for r in rows})
top = max([r[2] for r in rows] + [cli or 0]) * 1.1 or 1
width, height, left, bottom, plot_h = 720, 360, 70, 60, 250
group_w = (width - left - 20) / len(clients)
bar_w = group_w * 0.8 / max(len(variants), 1)
colors = ["#3b6ea8", "#e08a2c", "#6aa84f", "#a64d79"]
y = lambda v: height - bottom - v / top * plot_h
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
       f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
       f'<line x1="{left}" y1="{y(0)}" x2="{width - 20}" y2="{y(0)}" stroke="black"/>',
       f'<text x="15" y="{y(top / 2)}" transform="rotate(-90 15 {y(top / 2)})" text-anchor="middle">embeddings/s</text>']
for g, n in enumerate(clients):
    x0 = left + g * group_w + group_w * 0.1
    out.append(f'<text x="{x0 + group_w * 0.4}" y="{height - bottom + 18}" text-anchor="middle">{n} client{"s" if n > 1 else ""}</text>')
    for v, name in enumerate(variants):
        value = next((r[2] for r in rows if r[0] == name and r[1] == n), 0)
        x = x0 + v * bar_w
        out.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w - 2:.1f}" height="{y(0) - y(value):.1f}" fill="{colors[v % 4]}"/>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(value) - 3:.1f}" text-anchor="middle" font-size="10">{value:.0f}</text>')
if cli:
    out.append(f'<line x1="{left}" y1="{y(cli):.1f}" x2="{width - 20}" y2="{y(cli):.1f}" stroke="red" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{width - 22}" y="{y(cli) - 4:.1f}" text-anchor="end" fill="red">CLI example, 64 sentences in one call: {cli:.0f}/s</text>')
for v, name in enumerate(variants):
    out.append(f'<rect x="{left + 10}" y="{height - 30 + 0 * v}" width="10" height="10" fill="{colors[v % 4]}" transform="translate({v * 200} 0)"/>')
    out.append(f'<text x="{left + 25 + v * 200}" y="{height - 21}">{name}</text>')
out.append("</svg>")
open(target, "w", encoding="utf-8").write("\n".join(out) + "\n")
