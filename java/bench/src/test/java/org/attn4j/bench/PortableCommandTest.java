package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PortableCommandTest {
    private static final Path ROOT = Path.of("/home/someone/attn4j");

    @Test
    void absolutePathsLoseTheMachinePart() {
        assertEquals("./attn4j bench --json bench.json --chart=bench.png --size 16x16 --shared ../shared",
                PortableCommand.of(ROOT, "--json", "/tmp/bench-dev/bench.json", "--chart=/tmp/x/run2/../run2/bench.png",
                        "--size", "16x16", "--shared", "../shared"));
    }

    @Test
    void pathsInsideTheCheckoutStayRelativeToIt() {
        assertEquals("./attn4j bench --json bench/results/bench.json --shared shared",
                PortableCommand.of(ROOT, "--json", "/home/someone/attn4j/bench/results/bench.json", "--shared", "/work/shared"));
        assertEquals("./attn4j bench", PortableCommand.of(ROOT));
        assertEquals("/", PortableCommand.portable(ROOT, "/"));
    }
}
