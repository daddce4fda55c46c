package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Dispatch, exit codes and the one-line error rule of the attn4j command. */
class MainTest {
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void infoPrintsTheRuntime() {
        assertEquals(0, run("info"), err());
        String text = out();
        for (String label : new String[] {"attn4j ", "backend ", "threads ", "oneDNN ", "ISA ", "fused kernel ", "AUTO path ", "library "}) {
            assertTrue(text.contains(label), "info lacks \"" + label + "\":\n" + text);
        }
        assertTrue(text.matches("(?s).*oneDNN\\s+\\d+\\.\\d+\\.\\d+.*"), text);
        assertEquals("", err());
    }

    @Test
    void unknownCommandIsOneLineAndExit2() {
        assertEquals(2, run("frobnicate"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("attn4j: unknown command: expected one of "), err());
        assertTrue(err().contains("got frobnicate"), err());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(2, run("info", "--threads", "3"));
        assertEquals("attn4j: info: expected no arguments, got --threads 3\n", err().replace("\r", ""));
    }

    @Test
    void verboseAddsTheStackTrace() {
        assertEquals(2, run("--verbose", "info", "extra"));
        assertTrue(err().lines().count() > 2, err());
        assertTrue(err().startsWith("attn4j: info: expected no arguments"), err());
        assertTrue(err().contains("at org.attn4j.cli."), err());
    }

    @Test
    void helpListsEveryCommand() {
        assertEquals(0, run());
        for (String name : Commands.all().keySet()) {
            assertTrue(out().contains("attn4j " + name), "help lacks " + name + ":\n" + out());
        }
        outBytes.reset();
        assertEquals(0, run("help", "info"));
        assertTrue(out().startsWith("attn4j info"), out());
        assertEquals(2, run("help", "nothing"));
    }

    @Test
    void oneLineMessages() {
        assertEquals("a b c", Main.oneLine(new IllegalArgumentException("a\n  b\r\nc")));
        assertEquals("java.lang.RuntimeException", Main.oneLine(new RuntimeException()));
        assertEquals("UnsatisfiedLinkError: attn4j: x", Main.oneLine(new UnsatisfiedLinkError("attn4j: x")));
        assertEquals("no such file: m.safetensors", Main.oneLine(new java.nio.file.NoSuchFileException("m.safetensors")));
    }
}
