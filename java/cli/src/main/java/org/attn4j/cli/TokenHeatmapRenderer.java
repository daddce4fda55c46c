package org.attn4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * One attention map [n, n] of a tokenized sentence as a PNG: queries down, keys across, each
 * axis labelled with its tokens, colour from 0 to the map's largest weight (viridis, as
 * {@link HeatmapRenderer}).
 */
final class TokenHeatmapRenderer {
    private TokenHeatmapRenderer() {
    }

    /** weights[i][j]: query token i's weight on key token j. */
    static void render(Path png, String title, float[][] weights, String[] tokens) throws IOException {
        int n = tokens.length;
        int cell = Math.max(8, Math.min(32, 720 / Math.max(n, 1)));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, Math.min(13, cell - 2)));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(font);
        int label = 0;
        for (String t : tokens) {
            label = Math.max(label, pg.getFontMetrics().stringWidth(t));
        }
        pg.dispose();
        label += 10;
        int top = 40 + label;
        int left = label;
        int w = left + n * cell + 90;
        int h = top + n * cell + 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, 14f));
        g.drawString(title, 10, 22);
        g.setFont(font);
        double max = 0;
        for (float[] row : weights) {
            for (float v : row) {
                max = Math.max(max, v);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g.setColor(HeatmapRenderer.colour(max > 0 ? weights[i][j] / max : 0));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, n * cell, n * cell);
        int ascent = g.getFontMetrics().getAscent();
        for (int i = 0; i < n; i++) {
            int tw = g.getFontMetrics().stringWidth(tokens[i]);
            g.drawString(tokens[i], left - tw - 5, top + i * cell + (cell + ascent) / 2 - 1); // query labels, right-aligned
            AffineTransform saved = g.getTransform();
            g.translate(left + i * cell + (cell + ascent) / 2 - 1, top - 5);
            g.rotate(-Math.PI / 2);
            g.drawString(tokens[i], 0, 0); // key labels, bottom-up
            g.setTransform(saved);
        }
        // colour bar
        int bx = left + n * cell + 20;
        int bh = n * cell;
        for (int y = 0; y < bh; y++) {
            g.setColor(HeatmapRenderer.colour(1.0 - (double) y / Math.max(bh - 1, 1)));
            g.drawLine(bx, top + y, bx + 14, top + y);
        }
        g.setColor(Color.BLACK);
        g.drawString(String.format("%.2f", max), bx + 18, top + ascent);
        g.drawString("0", bx + 18, top + bh);
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
