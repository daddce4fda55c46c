package org.attn4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.attn4j.Tensor;

/**
 * Draws two [i, j] attention maps side by side with axes, ticks, a shared colour scale and the
 * sampling used when a sequence has more positions than the panel has pixels.
 */
final class HeatmapRenderer {
    private static final int PANEL = 480;  // largest side of one heatmap, pixels
    private static final int MARGIN = 70;
    private static final int GAP = 110;
    private static final int BAR = 18;
    // A perceptually ordered palette (viridis anchors), interpolated linearly.
    private static final int[] PALETTE = {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779,
        0x6ece58, 0xb5de2b, 0xfde725};

    private HeatmapRenderer() {
    }

    static void render(Path png, String title, Tensor attn, Tensor contextAttn) throws IOException {
        int rows = (int) attn.shape(0);
        int cols = (int) attn.shape(1);
        Grid a = Grid.of(attn, PANEL);
        Grid c = Grid.of(contextAttn, PANEL);
        double max = Math.max(a.max, c.max);
        int width = MARGIN + a.width + GAP + c.width + 60 + BAR + 70;
        int height = MARGIN + Math.max(a.height, c.height) + 110;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, MARGIN, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            panel(g, a, MARGIN, MARGIN, max, "attn: softmax over j (x attends to context)", rows, cols);
            panel(g, c, MARGIN + a.width + GAP, MARGIN, max, "context_attn: softmax over i (context attends to x)", rows, cols);
            colourBar(g, MARGIN + a.width + GAP + c.width + 60, MARGIN, Math.max(a.height, c.height), max);
            String sampling = a.rowStep == 1 && a.colStep == 1 ? "every cell shown (1 pixel block per cell)"
                    : String.format(Locale.ROOT, "downsampled: each pixel block is the mean of %d × %d cells (i × j)",
                            a.rowStep, a.colStep);
            g.drawString("i = " + rows + " x positions, j = " + cols + " context positions; " + sampling, MARGIN,
                    height - 20);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", png.toFile());
    }

    private static void panel(Graphics2D g, Grid grid, int x0, int y0, double max, String label, int rows, int cols) {
        for (int r = 0; r < grid.rows; r++) {
            for (int c = 0; c < grid.cols; c++) {
                g.setColor(colour(max > 0 ? grid.values[r][c] / max : 0));
                g.fillRect(x0 + c * grid.cell, y0 + r * grid.cell, grid.cell, grid.cell);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x0, y0, grid.width, grid.height);
        g.drawString(label, x0, y0 - 10);
        FontMetrics fm = g.getFontMetrics();
        // ticks: 0, middle, last position on each axis
        for (int t = 0; t <= 2; t++) {
            int col = (int) Math.round(t * (cols - 1) / 2.0);
            int px = x0 + (int) Math.round((col + 0.5) * grid.width / (double) cols);
            g.drawLine(px, y0 + grid.height, px, y0 + grid.height + 4);
            String s = Integer.toString(col);
            g.drawString(s, px - fm.stringWidth(s) / 2, y0 + grid.height + 17);
            int row = (int) Math.round(t * (rows - 1) / 2.0);
            int py = y0 + (int) Math.round((row + 0.5) * grid.height / (double) rows);
            g.drawLine(x0 - 4, py, x0, py);
            s = Integer.toString(row);
            g.drawString(s, x0 - 6 - fm.stringWidth(s), py + 4);
        }
        g.drawString("j (context position)", x0 + grid.width / 2 - 50, y0 + grid.height + 34);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x0 - 40, y0 + grid.height / 2.0 + 40);
        g.drawString("i (x position)", x0 - 40, y0 + grid.height / 2 + 40);
        g.setTransform(saved);
    }

    private static void colourBar(Graphics2D g, int x0, int y0, int h, double max) {
        for (int y = 0; y < h; y++) {
            g.setColor(colour(1.0 - y / (double) (h - 1)));
            g.fillRect(x0, y0 + y, BAR, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, BAR, h);
        for (int t = 0; t <= 4; t++) {
            double v = max * (4 - t) / 4.0;
            int y = y0 + (int) Math.round(t * (h - 1) / 4.0);
            g.drawLine(x0 + BAR, y, x0 + BAR + 4, y);
            g.drawString(String.format(Locale.ROOT, "%.3g", v), x0 + BAR + 7, y + 4);
        }
        g.drawString("weight", x0 - 6, y0 - 10);
    }

    /** Palette colour for t in [0, 1]. */
    static Color colour(double t) {
        double x = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (PALETTE.length - 1);
        int k = Math.min((int) x, PALETTE.length - 2);
        double f = x - k;
        int a = PALETTE[k];
        int b = PALETTE[k + 1];
        return new Color(mix(a >> 16, b >> 16, f), mix((a >> 8) & 0xff, (b >> 8) & 0xff, f), mix(a & 0xff, b & 0xff, f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xff) + ((b & 0xff) - (a & 0xff)) * f);
    }

    /** A [rows, cols] map averaged into blocks so that it fits {@code limit} pixels a side. */
    static final class Grid {
        final double[][] values;
        final int rows;
        final int cols;
        final int rowStep;
        final int colStep;
        final int cell;   // pixels per block
        final int width;
        final int height;
        final double max;

        private Grid(double[][] values, int rowStep, int colStep, int cell, double max) {
            this.values = values;
            this.rows = values.length;
            this.cols = values.length == 0 ? 0 : values[0].length;
            this.rowStep = rowStep;
            this.colStep = colStep;
            this.cell = cell;
            this.width = cols * cell;
            this.height = rows * cell;
            this.max = max;
        }

        static Grid of(Tensor map, int limit) {
            int rows = (int) map.shape(0);
            int cols = (int) map.shape(1);
            int rowStep = Math.max(1, (rows + limit - 1) / limit);
            int colStep = Math.max(1, (cols + limit - 1) / limit);
            int outRows = (rows + rowStep - 1) / rowStep;
            int outCols = (cols + colStep - 1) / colStep;
            double[][] v = new double[outRows][outCols];
            int[][] n = new int[outRows][outCols];
            float[] data = map.toFloatArray();
            double max = 0;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    v[r / rowStep][c / colStep] += data[r * cols + c];
                    n[r / rowStep][c / colStep]++;
                }
            }
            for (int r = 0; r < outRows; r++) {
                for (int c = 0; c < outCols; c++) {
                    v[r][c] /= n[r][c];
                    max = Math.max(max, v[r][c]);
                }
            }
            int cell = Math.max(1, Math.min(limit / Math.max(outRows, 1), limit / Math.max(outCols, 1)));
            return new Grid(v, rowStep, colStep, cell, max);
        }
    }
}
