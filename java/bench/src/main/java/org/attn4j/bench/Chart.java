package org.attn4j.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * The report's chart, drawn with Java2D (headless, no browser): median time per forward pass
 * against size i·j on log-log axes, one line per contender and variant, min–max whiskers, and
 * the floor the measured GEMM rate sets for the useful work.
 */
final class Chart {
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);
    private static final Color GRID_MAJOR = new Color(0xc8, 0xc8, 0xc8);
    private static final Map<String, Color> COLOURS = Map.of(
            "attn4j fused", new Color(0x1f, 0x5f, 0xbf),
            "attn4j materialised", new Color(0x6c, 0xae, 0xe8),
            "java reference", new Color(0x7a, 0x7a, 0x7a),
            "onnxruntime cpu", new Color(0xe0, 0x7b, 0x16),
            "pytorch eager", new Color(0xc0, 0x2c, 0x4c));
    private static final Color[] SPARE = {new Color(0x2a, 0x9d, 0x5c), new Color(0x8e, 0x44, 0xad), new Color(0x8c, 0x6d, 0x31)};

    private Chart() {
    }

    /**
     * Draws the timed rows of {@code rows} into a PNG of {@code width} × {@code height} pixels.
     * {@code gemmGflops} (NaN if unknown) adds the floor line; the subtitle names the machine.
     */
    static void write(Path file, List<Row> rows, double gemmGflops, String title, String subtitle, int width, int height)
            throws IOException {
        BufferedImage image = render(rows, gemmGflops, title, subtitle, width, height);
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    static BufferedImage render(List<Row> rows, double gemmGflops, String title, String subtitle, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            new Layout(g, rows, gemmGflops, title, subtitle, width, height).draw();
        } finally {
            g.dispose();
        }
        return image;
    }

    /** One drawing: the series, the axis ranges and the plot rectangle. */
    private static final class Layout {
        private final Graphics2D g;
        private final Map<String, List<Row>> series = new LinkedHashMap<>();
        private final TreeMap<Long, Row> sizes = new TreeMap<>(); // i·j -> a row of that size (for labels)
        private final double gemmGflops;
        private final String title;
        private final String subtitle;
        private final int width;
        private final int height;
        private final float scale;
        private double xMin;
        private double xMax;
        private double yMin;
        private double yMax;
        private Rectangle2D.Double plot;

        Layout(Graphics2D g, List<Row> rows, double gemmGflops, String title, String subtitle, int width, int height) {
            this.g = g;
            this.gemmGflops = gemmGflops;
            this.scale = Math.max(0.6f, Math.min(width / 1200f, height / 760f)); // text grows with the image
            this.title = title;
            this.subtitle = subtitle;
            this.width = width;
            this.height = height;
            for (Row r : rows) {
                if (r.timed()) {
                    series.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r);
                    sizes.putIfAbsent((long) r.i() * r.j(), r);
                }
            }
            series.values().forEach(list -> list.sort((a, b) -> Long.compare((long) a.i() * a.j(), (long) b.i() * b.j())));
        }

        void draw() {
            ranges();
            float titleSize = 22 * scale;
            float textSize = 14 * scale;
            double left = 96 * scale;
            double top = 86 * scale;
            double bottom = 96 * scale;
            // the legend sits right of the plot, where it can never hide a line
            g.setFont(font(Font.PLAIN, textSize));
            double right = series.isEmpty() ? 28 * scale : legendWidth(g.getFontMetrics()) + 40 * scale;
            plot = new Rectangle2D.Double(left, top, width - left - right, height - top - bottom);

            // title and subtitle
            g.setColor(INK);
            g.setFont(font(Font.BOLD, titleSize));
            centred(title, width / 2.0, 34 * scale);
            g.setFont(font(Font.PLAIN, textSize));
            g.setColor(new Color(0x55, 0x55, 0x55));
            centred(subtitle, width / 2.0, 60 * scale);

            grid(textSize);
            if (series.isEmpty()) {
                g.setColor(INK);
                g.setFont(font(Font.ITALIC, textSize * 1.3f));
                centred("no timed runs to draw", plot.getCenterX(), plot.getCenterY());
                return;
            }
            floor();
            int spare = 0;
            List<Map.Entry<String, Color>> legend = new ArrayList<>();
            int index = 0;
            for (Map.Entry<String, List<Row>> e : series.entrySet()) {
                Color c = COLOURS.getOrDefault(e.getKey(), SPARE[spare++ % SPARE.length]);
                drawSeries(e.getValue(), c, index++);
                legend.add(Map.entry(e.getKey(), c));
            }
            legend(legend, textSize);
        }

        /** Axis ranges: 1-2-5 steps in y around min..max, a margin of a fraction of a decade in x. */
        private void ranges() {
            double lo = Double.MAX_VALUE;
            double hi = 0;
            for (List<Row> list : series.values()) {
                for (Row r : list) {
                    lo = Math.min(lo, r.minMs());
                    hi = Math.max(hi, r.maxMs());
                }
            }
            if (!Double.isNaN(gemmGflops)) {
                for (Row r : sizes.values()) {
                    lo = Math.min(lo, floorMs(r));
                }
            }
            if (hi == 0) {
                lo = 1;
                hi = 1000;
            }
            yMin = niceBelow(lo);
            yMax = niceAbove(hi);
            if (yMax / yMin < 10) {
                yMax = niceAbove(yMin * 10);
            }
            double cLo = sizes.isEmpty() ? 1e4 : sizes.firstKey();
            double cHi = sizes.isEmpty() ? 1e8 : sizes.lastKey();
            double pad = Math.max(0.25, 0.08 * Math.log10(cHi / cLo)); // decades of margin each side
            xMin = cLo / Math.pow(10, pad);
            xMax = cHi * Math.pow(10, pad);
        }

        private double floorMs(Row r) {
            return r.gflop() / gemmGflops * 1e3;
        }

        private double px(double cells) {
            return plot.x + plot.width * Math.log10(cells / xMin) / Math.log10(xMax / xMin);
        }

        private double py(double ms) {
            return plot.y + plot.height * (1 - Math.log10(ms / yMin) / Math.log10(yMax / yMin));
        }

        private void grid(float textSize) {
            g.setFont(font(Font.PLAIN, textSize * 0.92f));
            FontMetrics fm = g.getFontMetrics();
            // y: a line at every decade (labelled) and at 2 and 5 (faint)
            for (double decade = Math.pow(10, Math.floor(Math.log10(yMin) + 1e-9)); decade <= yMax * 1.0001; decade *= 10) {
                for (int m : new int[] {1, 2, 5}) {
                    double v = decade * m;
                    if (v > yMax * 1.0001) {
                        break;
                    }
                    if (v < yMin * 0.9999) {
                        continue;
                    }
                    double y = py(v);
                    g.setColor(m == 1 ? GRID_MAJOR : GRID);
                    g.setStroke(new BasicStroke(scale));
                    g.draw(new Line2D.Double(plot.x, y, plot.getMaxX(), y));
                    String label = msLabel(v);
                    g.setColor(m == 1 ? INK : new Color(0x88, 0x88, 0x88));
                    g.drawString(label, (float) (plot.x - 8 * scale - fm.stringWidth(label)), (float) (y + fm.getAscent() / 2.5));
                }
            }
            // x: faint decades of i·j, then a labelled tick at every size that was run
            for (double d = Math.pow(10, Math.ceil(Math.log10(xMin))); d <= xMax; d *= 10) {
                g.setColor(GRID);
                g.draw(new Line2D.Double(px(d), plot.y, px(d), plot.getMaxY()));
            }
            double lastRight = -1;
            for (Map.Entry<Long, Row> e : sizes.entrySet()) {
                double x = px(e.getKey());
                g.setColor(GRID_MAJOR);
                g.draw(new Line2D.Double(x, plot.y, x, plot.getMaxY()));
                g.setColor(INK);
                g.draw(new Line2D.Double(x, plot.getMaxY(), x, plot.getMaxY() + 6 * scale));
                String label = e.getValue().i() + "×" + e.getValue().j();
                double w = fm.stringWidth(label);
                if (x - w / 2 > lastRight + 4 * scale) { // skip a label that would overlap the previous one
                    g.drawString(label, (float) (x - w / 2), (float) (plot.getMaxY() + 8 * scale + fm.getAscent()));
                    lastRight = x + w / 2;
                }
            }
            // frame and axis titles
            g.setColor(INK);
            g.setStroke(new BasicStroke(1.2f * scale));
            g.draw(plot);
            g.setFont(font(Font.PLAIN, textSize));
            centred("size i × j (query positions × context positions, log scale)",
                    plot.getCenterX(), plot.getMaxY() + 58 * scale);
            Graphics2D r = (Graphics2D) g.create();
            r.translate(22 * scale, plot.getCenterY());
            r.rotate(-Math.PI / 2);
            FontMetrics tm = r.getFontMetrics();
            String yTitle = "median time per forward pass (log scale)";
            r.drawString(yTitle, -tm.stringWidth(yTitle) / 2f, tm.getAscent() / 2f);
            r.dispose();
        }

        /** The dashed floor: useful work at the measured GEMM rate. */
        private void floor() {
            if (Double.isNaN(gemmGflops) || sizes.isEmpty()) {
                return;
            }
            Path2D.Double line = new Path2D.Double();
            boolean first = true;
            for (Map.Entry<Long, Row> e : sizes.entrySet()) {
                double x = px(e.getKey());
                double y = py(floorMs(e.getValue()));
                if (first) {
                    line.moveTo(x, y);
                    first = false;
                } else {
                    line.lineTo(x, y);
                }
            }
            g.setColor(new Color(0x99, 0x99, 0x99));
            g.setStroke(new BasicStroke(1.6f * scale, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1,
                    new float[] {7 * scale, 5 * scale}, 0));
            if (sizes.size() == 1) {
                double x = px(sizes.firstKey());
                double y = py(floorMs(sizes.firstEntry().getValue()));
                g.draw(new Line2D.Double(x - 18 * scale, y, x + 18 * scale, y));
            } else {
                g.draw(line);
            }
        }

        private void drawSeries(List<Row> rows, Color c, int index) {
            g.setColor(c);
            Path2D.Double line = new Path2D.Double();
            for (int k = 0; k < rows.size(); k++) {
                Row r = rows.get(k);
                double x = px((double) r.i() * r.j());
                if (k == 0) {
                    line.moveTo(x, py(r.medianMs()));
                } else {
                    line.lineTo(x, py(r.medianMs()));
                }
            }
            g.setStroke(new BasicStroke(2.6f * scale, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(line);
            for (Row r : rows) {
                double x = px((double) r.i() * r.j());
                // min–max whisker, then the marker (hollow when other processes were busy)
                g.setStroke(new BasicStroke(1.4f * scale));
                g.draw(new Line2D.Double(x, py(r.minMs()), x, py(r.maxMs())));
                Shape m = marker(index, x, py(r.medianMs()), 6.5 * scale);
                g.setColor(r.busy() ? Color.WHITE : c);
                g.fill(m);
                g.setColor(c);
                g.setStroke(new BasicStroke(1.8f * scale));
                g.draw(m);
            }
        }

        private boolean withFloor() {
            return !Double.isNaN(gemmGflops) && !sizes.isEmpty();
        }

        private String floorLabel() {
            return String.format(Locale.ROOT, "GEMM floor (%.0f GFLOP/s)", gemmGflops);
        }

        private boolean anyBusy() {
            return series.values().stream().flatMap(List::stream).anyMatch(Row::busy);
        }

        private static final String BUSY_LABEL = "hollow: others were busy";

        /** Width of the legend box: the longest label plus the line sample. */
        private double legendWidth(FontMetrics fm) {
            double w = 0;
            for (String s : series.keySet()) {
                w = Math.max(w, fm.stringWidth(s));
            }
            if (withFloor()) {
                w = Math.max(w, fm.stringWidth(floorLabel()));
            }
            if (anyBusy()) {
                w = Math.max(w, fm.stringWidth(BUSY_LABEL));
            }
            return w + 60 * scale;
        }

        private void legend(List<Map.Entry<String, Color>> entries, float textSize) {
            g.setFont(font(Font.PLAIN, textSize));
            FontMetrics fm = g.getFontMetrics();
            List<String> labels = new ArrayList<>();
            entries.forEach(e -> labels.add(e.getKey()));
            boolean withFloor = withFloor();
            String floorLabel = floorLabel();
            boolean anyBusy = anyBusy();
            String busyLabel = BUSY_LABEL;
            double line = fm.getHeight() * 1.25;
            int n = labels.size() + (withFloor ? 1 : 0) + (anyBusy ? 1 : 0);
            double boxW = legendWidth(fm);
            double boxH = n * line + 14 * scale;
            double bx = plot.getMaxX() + 20 * scale;
            double by = plot.y;
            g.setColor(new Color(255, 255, 255, 235));
            g.fill(new Rectangle2D.Double(bx, by, boxW, boxH));
            g.setColor(GRID_MAJOR);
            g.setStroke(new BasicStroke(scale));
            g.draw(new Rectangle2D.Double(bx, by, boxW, boxH));
            double y = by + 7 * scale + line / 2;
            for (int k = 0; k < entries.size(); k++) {
                Color c = entries.get(k).getValue();
                g.setColor(c);
                g.setStroke(new BasicStroke(2.6f * scale, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(new Line2D.Double(bx + 10 * scale, y, bx + 40 * scale, y));
                g.fill(marker(k, bx + 25 * scale, y, 5.5 * scale));
                g.setColor(INK);
                g.drawString(labels.get(k), (float) (bx + 50 * scale), (float) (y + fm.getAscent() / 2.6));
                y += line;
            }
            if (withFloor) {
                g.setColor(new Color(0x99, 0x99, 0x99));
                g.setStroke(new BasicStroke(1.6f * scale, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1,
                        new float[] {7 * scale, 5 * scale}, 0));
                g.draw(new Line2D.Double(bx + 10 * scale, y, bx + 40 * scale, y));
                g.setColor(INK);
                g.drawString(floorLabel, (float) (bx + 50 * scale), (float) (y + fm.getAscent() / 2.6));
                y += line;
            }
            if (anyBusy) {
                Shape m = marker(0, bx + 25 * scale, y, 5.5 * scale);
                g.setColor(Color.WHITE);
                g.fill(m);
                g.setColor(INK);
                g.setStroke(new BasicStroke(1.6f * scale));
                g.draw(m);
                g.drawString(busyLabel, (float) (bx + 50 * scale), (float) (y + fm.getAscent() / 2.6));
            }
        }

        private static Shape marker(int index, double x, double y, double r) {
            return switch (index % 4) {
                case 0 -> new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r);
                case 1 -> new Rectangle2D.Double(x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r);
                case 2 -> {
                    Path2D.Double p = new Path2D.Double();
                    p.moveTo(x, y - r * 1.15);
                    p.lineTo(x + r * 1.1, y + r * 0.85);
                    p.lineTo(x - r * 1.1, y + r * 0.85);
                    p.closePath();
                    yield p;
                }
                default -> {
                    Path2D.Double p = new Path2D.Double();
                    p.moveTo(x, y - r * 1.2);
                    p.lineTo(x + r * 1.2, y);
                    p.lineTo(x, y + r * 1.2);
                    p.lineTo(x - r * 1.2, y);
                    p.closePath();
                    yield p;
                }
            };
        }

        private void centred(String text, double cx, double baseline) {
            FontMetrics fm = g.getFontMetrics();
            g.drawString(text, (float) (cx - fm.stringWidth(text) / 2.0), (float) baseline);
        }

        private Font font(int style, float size) {
            return new Font(Font.SANS_SERIF, style, 1).deriveFont(style, size);
        }
    }

    /** The largest 1, 2 or 5 × 10^k at or below v. */
    static double niceBelow(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        for (int m : new int[] {5, 2, 1}) {
            if (m * decade <= v * (1 + 1e-9)) {
                return m * decade;
            }
        }
        return decade;
    }

    /** The smallest 1, 2 or 5 × 10^k at or above v. */
    static double niceAbove(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        for (int m : new int[] {1, 2, 5, 10}) {
            if (m * decade >= v * (1 - 1e-9)) {
                return m * decade;
            }
        }
        return 10 * decade;
    }

    /** "1 ms", "20 ms", "500 ms", "1 s", "20 s", "0.5 ms". */
    static String msLabel(double ms) {
        if (ms >= 1000) {
            return trim(ms / 1000) + " s";
        }
        return trim(ms) + " ms";
    }

    private static String trim(double v) {
        if (v == Math.rint(v)) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
