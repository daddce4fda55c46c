package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChartTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final List<Row> ROWS = List.of(
            RowTest.timed("attn4j", "fused", 256, 512, 9, 0),
            RowTest.timed("attn4j", "fused", 1024, 2048, 70, 0),
            RowTest.timed("onnxruntime", "cpu", 256, 512, 17, 0),
            RowTest.timed("onnxruntime", "cpu", 1024, 2048, 284, 30),
            Row.notTimed("java", "reference", 1024, 2048, 1, 2, 10.5, Double.NaN, Double.NaN, Double.NaN, "", "skipped", "too slow"));

    @Test
    void writesAPngOfTheAskedSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chart.png");
        Chart.write(file, ROWS, 185, "title", "machine", 900, 560);
        byte[] head = Files.readAllBytes(file);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(560, image.getHeight());
    }

    @Test
    void drawsEachSeriesInItsColour() {
        BufferedImage image = Chart.render(ROWS, 185, "title", "machine", 1200, 760);
        assertTrue(count(image, 0x1f5fbf) > 200, "attn4j fused blue");
        assertTrue(count(image, 0xe07b16) > 200, "onnxruntime orange");
    }

    @Test
    void rowsThatWereNotTimedAreNotDrawn() {
        BufferedImage with = Chart.render(ROWS, 185, "title", "machine", 700, 450);
        BufferedImage without = Chart.render(ROWS.subList(0, 4), 185, "title", "machine", 700, 450);
        for (int y = 0; y < with.getHeight(); y++) {
            for (int x = 0; x < with.getWidth(); x++) {
                assertEquals(without.getRGB(x, y), with.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void anEmptyRunStillDrawsAxes() {
        BufferedImage image = Chart.render(List.of(), Double.NaN, "title", "machine", 640, 400);
        assertEquals(640, image.getWidth());
        assertTrue(count(image, 0x222222) > 100, "frame and labels in ink");
    }

    @Test
    void axisBoundsAreOneTwoFiveSteps() {
        assertEquals(5.0, Chart.niceBelow(7.5), 1e-12);
        assertEquals(2.0, Chart.niceBelow(2.0), 1e-12);
        assertEquals(0.1, Chart.niceBelow(0.19), 1e-12);
        assertEquals(20000.0, Chart.niceAbove(17786), 1e-9);
        assertEquals(1000.0, Chart.niceAbove(1000), 1e-9);
        assertEquals(10.0, Chart.niceAbove(5.01), 1e-12);
    }

    @ParameterizedTest(name = "{0} ms: {1}")
    @CsvSource({"1, 1 ms", "500, 500 ms", "2000, 2 s", "0.5, 0.5 ms"})
    void timeLabelsHaveUnits(double ms, String label) {
        assertEquals(label, Chart.msLabel(ms));
    }

    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
