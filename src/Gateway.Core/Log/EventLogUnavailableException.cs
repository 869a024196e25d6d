namespace Gateway.Core.Log;

/// <summary>The log's store could not be reached; nothing was committed and the operation may be retried.</summary>
public sealed class EventLogUnavailableException : Exception
{
    public EventLogUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
