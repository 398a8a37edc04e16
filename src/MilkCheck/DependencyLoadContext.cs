using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace MilkCheck;

/// <summary>
/// The module's own AssemblyLoadContext for its third-party packages (YamlDotNet, SSH.NET, BouncyCastle,
/// Microsoft.Extensions.*), which the built module keeps in its <c>deps</c> folder under names of their own
/// (<c>MilkCheck.Private.YamlDotNet</c>…, given by src/MilkCheck.PrivateDeps at build time, references rewritten to match).
/// MilkCheck.dll and MilkCheck.Engine.dll stay in the context PowerShell loaded them into (the Default one), so the
/// result types (MilkCheck.ActionResult...) are the ones format and types files, scripts and converters name. The
/// engine's references to the packages do not resolve by probing (they are not next to it), so the loader context
/// raises Resolving, and the handler answers with the copy in this context. Another version of the same package
/// loaded by the session (powershell-yaml's YamlDotNet 16, Posh-SSH's SSH.NET, older or newer) neither shadows
/// it nor clashes with it: the Default context would bind a reference by name to a newer copy it already has, but
/// no copy but MilkCheck's has the private name.
/// Without a <c>deps</c> folder (tests referencing the projects, packages next to the dlls) nothing is hooked.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    private DependencyLoadContext(string directory) : base("MilkCheck.Dependencies") => _directory = directory;

    /// <summary>The folder the packages are loaded from, or null when the module runs without one.</summary>
    internal static string? Directory { get; private set; }

    // Runs before any code of MilkCheck.dll, so before the engine can touch a package (IModuleAssemblyInitializer
    // would run only after PowerShell has looked at the cmdlets, and not at all when the tests load the dll).
#pragma warning disable CA2255 // a library module initializer is the point here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        Assembly module = typeof(DependencyLoadContext).Assembly;
        if (string.IsNullOrEmpty(module.Location)) return;
        string directory = Path.Combine(Path.GetDirectoryName(module.Location)!, "deps");
        if (!System.IO.Directory.Exists(directory)) return;
        Directory = directory;
        var context = new DependencyLoadContext(directory);
        AssemblyLoadContext owner = GetLoadContext(module) ?? Default;
        owner.Resolving += (_, name) => context.PathOf(name) is null ? null : context.LoadFromAssemblyName(name);
    }

    private string? PathOf(AssemblyName name)
    {
        if (string.IsNullOrEmpty(name.Name) || name.Name.IndexOfAny(['/', '\\']) >= 0) return null;
        string path = Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(path) ? path : null;
    }

    // A package's own references: the other packages from deps; the BCL and anything else from Default.
    protected override Assembly? Load(AssemblyName name) => PathOf(name) is { } path ? LoadFromAssemblyPath(path) : null;
}
