namespace MilkCheck;

/// <summary>How bad a configuration problem is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The configuration cannot be used.</summary>
    Error,
    /// <summary>The configuration loads, but probably not as meant (a duplicate name, an unknown key…).</summary>
    Warning,
}

/// <summary>One configuration problem, with where it is and what to change.</summary>
/// <param name="Line">1-based; 0 when the problem has no position (a missing file).</param>
/// <param name="Column">1-based; 0 when unknown.</param>
/// <param name="ErrorId">Stable id, e.g. <c>MilkCheck.Config.UnknownDependency</c>.</param>
public sealed record ConfigDiagnostic(
    DiagnosticSeverity Severity, string File, int Line, int Column, string Message, string ErrorId)
{
    /// <summary><c>file:line:column: message</c>, as compilers print it.</summary>
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}
