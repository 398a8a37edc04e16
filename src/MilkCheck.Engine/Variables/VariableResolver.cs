using System.Globalization;
using System.Text;

namespace MilkCheck.Variables;

/// <summary>A place variables are looked up from: an action, a service, a group or the root; then its parent.</summary>
internal interface IVariableScope
{
    IVariableScope? Parent { get; }

    /// <summary>The scope's own user variable (exact, case-sensitive name), raw as declared.</summary>
    bool TryGetUserVariable(string name, out object? value);

    /// <summary>The scope's automatic variables (NAME, SERVICE, TARGET…), case-insensitive.</summary>
    bool TryGetAutomaticVariable(string name, out object? value);

    /// <summary>For messages: "service 'nfs'".</summary>
    string Describe();
}

/// <summary>Runs a <c>%(command)</c> locally.</summary>
internal interface ICommandSubstitution
{
    /// <returns>The command's standard output as written (trailing newlines included: the resolver removes them,
    /// and upstream's debug log shows them) and its exit status.</returns>
    (string Output, int ExitCode) Run(string command, CancellationToken cancellationToken);
}

/// <summary>
/// What a resolution did, for front ends that show it as upstream logs it (spec §5.4.8): each value a substitution
/// changed (INFO <c>Variable content '…' replaced by '…'</c>) and each <c>%(...)</c> run (DEBUG <c>External command
/// exited with …</c>). Called on the resolving thread, in the order things happen.
/// </summary>
internal interface ISubstitutionLog
{
    void Replaced(string before, string after);

    void CommandExited(string command, int exitCode, string output);
}

internal enum VariableErrorKind { Undefined, InvalidPlaceholder, CommandFailed, Recursion }

/// <summary>A reference that cannot be resolved; <see cref="Offset"/> is where in <see cref="Text"/>.</summary>
internal sealed class VariableException : Exception
{
    public VariableException(VariableErrorKind kind, string text, int offset, string message) : base(message)
    {
        Kind = kind;
        Text = text;
        Offset = offset;
    }

    public VariableErrorKind Kind { get; }
    public string Text { get; }
    public int Offset { get; }
}

/// <summary>
/// MilkCheck's <c>%</c> substitution (spec §3): <c>%%</c>, <c>%NAME</c>, <c>%{NAME}</c>, <c>%(command)</c>; a stray
/// <c>%</c> is an error. A variable's own value is resolved in the scope that declares it, once: upstream stores
/// variables resolved there, so a <c>%(...)</c> in a variable runs once however many commands use it. One resolver
/// per load or run: it remembers the user variables it resolved and the recursion stack.
/// </summary>
internal sealed class VariableResolver
{
    private readonly ICommandSubstitution? _commands;
    private readonly ISubstitutionLog? _log;
    private readonly List<(IVariableScope Scope, string Name)> _stack = new();
    private readonly Dictionary<(IVariableScope Scope, string Name), object?> _resolvedVariables = new();

    /// <summary>Variables resolving through variables at most this deep: each level recurses, and a chain of
    /// thousands would overflow the stack and take the host down.</summary>
    private const int MaxNesting = 256;

    /// <param name="commands">Null: <c>%(...)</c> is not executed (Test-MilkCheckConfig); it yields an empty string
    /// and <see cref="SkippedCommands"/> counts it.</param>
    /// <param name="log">Told of every value a substitution changed and every <c>%(...)</c> run; null: nobody asks.</param>
    public VariableResolver(ICommandSubstitution? commands, ISubstitutionLog? log = null)
    {
        _commands = commands;
        _log = log;
    }

    public int SkippedCommands { get; private set; }

    /// <summary>Resolves a property value; a value that is exactly one reference keeps the referenced type (§3.3).</summary>
    public object? Resolve(object? value, IVariableScope scope, CancellationToken cancellationToken = default)
    {
        if (value is IReadOnlyList<object?> list)
            return list.Select(item => Resolve(item, scope, cancellationToken)).ToArray();
        if (value is not string text)
            return value;
        object? result;
        if (TryWholeReference(text, out string? name))
            result = Value(name!, scope, text, 0, cancellationToken);
        else
            result = Substitute(text, scope, cancellationToken);
        if (result is not string same || !string.Equals(same, text, StringComparison.Ordinal))
            _log?.Replaced(text, Format(result));
        return result;
    }

    public string ResolveString(string text, IVariableScope scope, CancellationToken cancellationToken = default)
    {
        string result = Substitute(text, scope, cancellationToken);
        if (!ReferenceEquals(result, text) && !string.Equals(result, text, StringComparison.Ordinal))
            _log?.Replaced(text, result);
        return result;
    }

    /// <summary>A user variable of <paramref name="owner"/> resolved in its scope, as upstream stores it before a run.</summary>
    public object? ResolveVariable(string name, IVariableScope owner, CancellationToken cancellationToken = default) =>
        Value(name, owner, "%" + name, 0, cancellationToken);

    private string Substitute(string text, IVariableScope scope, CancellationToken cancellationToken)
    {
        int percent = text.IndexOf('%');
        if (percent < 0)
            return text;
        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, percent);
        int i = percent;
        while (i < text.Length)
        {
            char c = text[i];
            if (c != '%')
            {
                builder.Append(c);
                i++;
                continue;
            }
            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (next == '%')
            {
                builder.Append('%');
                i += 2;
            }
            else if (next == '{')
            {
                int close = text.IndexOf('}', i + 2);
                string name = close < 0 ? string.Empty : text[(i + 2)..close];
                if (close < 0 || !IsIdentifier(name))
                    throw Invalid(text, i);
                builder.Append(Format(Value(name, scope, text, i, cancellationToken)));
                i = close + 1;
            }
            else if (next == '(')
            {
                int close = text.IndexOf(')', i + 2); // the first ')': nested parentheses are not supported, as upstream
                if (close < 0)
                    throw new VariableException(VariableErrorKind.InvalidPlaceholder, text, i,
                        $"'%(' without a closing ')' in '{text}' at column {i + 1}: write %(command).");
                string command = ResolveString(text[(i + 2)..close], scope, cancellationToken); // logged as upstream does
                builder.Append(RunCommand(command, text, i, cancellationToken));
                i = close + 1;
            }
            else if (IsIdentifierStart(next))
            {
                int end = i + 1;
                while (end < text.Length && IsIdentifierPart(text[end]))
                    end++;
                builder.Append(Format(Value(text[(i + 1)..end], scope, text, i, cancellationToken)));
                i = end;
            }
            else
            {
                throw Invalid(text, i);
            }
        }
        return builder.ToString();
    }

    /// <summary>A variable's value resolved in the scope that declares it; a user variable once per resolver.</summary>
    private object? Value(string name, IVariableScope scope, string text, int offset, CancellationToken cancellationToken)
    {
        (object? value, IVariableScope owner, bool user) = Lookup(name, scope, text, offset);
        if (value is not string and not IReadOnlyList<object?>)
            return value;
        if (user && _resolvedVariables.TryGetValue((owner, name), out object? known))
            return known;
        object? resolved = Nested(name, owner, () => Resolve(value, owner, cancellationToken));
        if (user)
            _resolvedVariables[(owner, name)] = resolved;
        return resolved;
    }

    private T Nested<T>(string name, IVariableScope owner, Func<T> resolve)
    {
        if (_stack.Any(frame => ReferenceEquals(frame.Scope, owner) && frame.Name == name))
        {
            string chain = string.Join(" -> ", _stack.Select(f => "%" + f.Name).Append("%" + name));
            _stack.Clear();
            throw new VariableException(VariableErrorKind.Recursion, name, 0, $"Variable '{name}' refers to itself: {chain}.");
        }
        if (_stack.Count >= MaxNesting)
        {
            string chain = string.Join(" -> ", _stack.Take(3).Select(f => "%" + f.Name)) + " -> … -> %" + name;
            _stack.Clear();
            throw new VariableException(VariableErrorKind.Recursion, name, 0,
                $"Variables refer to variables more than {MaxNesting} levels deep ({chain}): shorten the chain.");
        }
        _stack.Add((owner, name));
        try
        {
            return resolve();
        }
        finally
        {
            if (_stack.Count > 0)
                _stack.RemoveAt(_stack.Count - 1);
        }
    }

    private static (object? Value, IVariableScope Owner, bool User) Lookup(string name, IVariableScope scope, string text, int offset)
    {
        for (IVariableScope? current = scope; current is not null; current = current.Parent)
        {
            if (current.TryGetUserVariable(name, out object? value))
                return (value, current, true);
            if (current.TryGetAutomaticVariable(name, out value))
                return (value, current, false);
        }
        throw new VariableException(VariableErrorKind.Undefined, text, offset,
            $"Undefined variable '{name}' (used by {scope.Describe()})");
    }

    private string RunCommand(string command, string text, int offset, CancellationToken cancellationToken)
    {
        if (_commands is null)
        {
            SkippedCommands++;
            return string.Empty;
        }
        (string output, int exitCode) = _commands.Run(command, cancellationToken);
        _log?.CommandExited(command, exitCode, output);
        if (exitCode >= 126)
            throw new VariableException(VariableErrorKind.CommandFailed, text, offset,
                $"Cannot evaluate expression '{command}' (exit status {exitCode}: command not found or not executable).");
        return output.TrimEnd('\n'); // all trailing newlines, as upstream (a \r stays)
    }

    private static VariableException Invalid(string text, int offset) =>
        new(VariableErrorKind.InvalidPlaceholder, text, offset,
            $"Invalid placeholder in '{text}' at column {offset + 1}: a literal percent is written %%, a variable %NAME or %{{NAME}}, a command %(command).");

    /// <summary>Text of a value inserted into a string, spelt as upstream (Python) prints it.</summary>
    internal static string Format(object? value) => value switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture) is var r && !r.Contains('.') && !r.Contains('E') ? r + ".0" : d.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string Repr(object? value) => value is string s ? "'" + s.Replace("'", "\\'") + "'" : Format(value);

    private static bool TryWholeReference(string text, out string? name)
    {
        name = null;
        if (text.Length < 2 || text[0] != '%')
            return false;
        string candidate = text.Length > 3 && text[1] == '{' && text[^1] == '}' ? text[2..^1] : text[1..];
        if (!IsIdentifier(candidate))
            return false;
        name = candidate;
        return true;
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && IsIdentifierStart(name[0]) && name.All(IsIdentifierPart);

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsIdentifierPart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
