package org.attn4j.bench;

/** A contender that could not be set up at all (its library did not load): every row says why. */
final class UnavailableContender extends Contender {
    private final String reason;

    UnavailableContender(String name, String variant, String reason) {
        super(name, variant);
        this.reason = reason;
    }

    @Override
    public Unavailable unavailable(Workload w) {
        return new Unavailable("error", reason);
    }

    @Override
    public Check check(BenchInputs in, Progress.Task task) {
        throw new IllegalStateException(label() + ": " + reason);
    }

    @Override
    public Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) {
        throw new IllegalStateException(label() + ": " + reason);
    }

    @Override
    public String describe() {
        return "not available: " + reason;
    }
}
