using Gateway.Core.Limits;
using Gateway.Core.Streaming;

namespace Gateway.Core.Http;

/// <summary>A stream request that passed every check: where it starts, until when its tokens allow it, and its slots.</summary>
internal readonly record struct AdmittedStream(StreamStart Start, DateTimeOffset? NotAfter, StreamAdmission Admission);
