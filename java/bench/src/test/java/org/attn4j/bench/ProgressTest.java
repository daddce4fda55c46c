package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void rendersBarPercentAndTimeLeft() {
        String s = Progress.render(0.5, 10, "onnxruntime cpu 1024x2048 timing");
        assertTrue(s.startsWith("[##############..............]  50%  onnxruntime cpu 1024x2048 timing"), s);
        assertTrue(s.contains("0:10  left ~0:10"), s);
        assertTrue(Progress.render(0, 1, "x").startsWith("[............................]   0%"));
        assertTrue(Progress.render(1.7, 1, "x").startsWith("[############################] 100%"));
        assertTrue(!Progress.render(1, 1, "x").contains("left"));
    }

    @Test
    void clockFormats() {
        assertEquals("0:05", Progress.clock(5));
        assertEquals("2:05", Progress.clock(125));
        assertEquals("1:02:05", Progress.clock(3725));
    }

    @Test
    void shortRunsStayQuiet() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes), 100, true);
        Progress.Task t = p.task("quick", 10);
        t.advance(3);
        t.advanceTo(2); // never backwards
        t.advanceTo(10);
        p.finish();
        assertEquals("", bytes.toString(), "nothing is drawn in the first seconds");
    }
}
