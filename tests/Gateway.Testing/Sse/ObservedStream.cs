namespace Gateway.Testing.Sse;

/// <summary>
/// A read-only pass-through over a response body that shows every chunk read to an observer before the reader
/// (the SSE parser) gets it: so the bytes can be kept as they came over the wire, and the first ones noticed.
/// </summary>
public sealed class ObservedStream(Stream inner, Action<ReadOnlySpan<byte>> observe) : ReadOnlyPassThroughStream(inner)
{
    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = Inner.Read(buffer, offset, count);
        observe(buffer.AsSpan(offset, read));
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        observe(buffer.Span[..read]);
        return read;
    }
}
