using MilkCheck.Configuration;

namespace MilkCheck.Execution;

/// <summary>The transports of one run, chosen from the global configuration.</summary>
internal static class Transports
{
    /// <summary>
    /// The remote transport for standard-mode targets. Until the SSH.NET transport lands, both settings of
    /// <c>transport:</c> use OpenSSH processes (one <c>ssh -oBatchMode=yes</c> per command).
    /// </summary>
    public static ITransport Remote(GlobalConfiguration global) => new OpenSshTransport(global.ConnectTimeout);

    public static ITransport Local() => new LocalTransport();
}
