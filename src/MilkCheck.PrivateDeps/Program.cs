using Mono.Cecil;

// Gives every package assembly in a module's deps/ folder a name of its own ("MilkCheck.Private.<name>", unsigned)
// and points every reference to it (from the other packages and from the assemblies given) at that name.
//
// Why: PowerShell loads MilkCheck.Engine.dll into the session's Default load context, and that context binds a
// reference by name to any copy the session already loaded with an equal or higher version (Posh-SSH's newer
// SSH.NET, powershell-yaml's newer YamlDotNet): the module would run on a package version it was never built or
// tested with. A reference to "MilkCheck.Private.Renci.SshNet" can only be MilkCheck's own copy.
//
// Usage: PrivateDeps <deps folder> <referencing assembly>...
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: PrivateDeps <deps folder> <referencing assembly>... (given: " + string.Join(" | ", args) + ")");
    return 2;
}
const string Prefix = "MilkCheck.Private.";
string deps = args[0];
string[] packages = Directory.GetFiles(deps, "*.dll").Where(p => !Path.GetFileName(p).StartsWith(Prefix, StringComparison.Ordinal)).ToArray();
var renamed = packages.ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => Prefix + Path.GetFileNameWithoutExtension(p), StringComparer.Ordinal);

var resolver = new DefaultAssemblyResolver();
resolver.AddSearchDirectory(deps);
foreach (string extra in args.Skip(1))
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(extra))!);

int Rewrite(string path, string output, bool rename)
{
    int changed = 0;
    using (var assembly = AssemblyDefinition.ReadAssembly(path, new ReaderParameters { AssemblyResolver = resolver, ReadWrite = false, InMemory = true }))
    {
        if (rename)
        {
            assembly.Name.Name = renamed[assembly.Name.Name];
            assembly.Name.PublicKey = Array.Empty<byte>();
            assembly.Name.HasPublicKey = false;
            assembly.MainModule.Attributes &= ~ModuleAttributes.StrongNameSigned;
            changed++;
        }
        foreach (ModuleDefinition module in assembly.Modules)
        {
            foreach (AssemblyNameReference reference in module.AssemblyReferences)
            {
                if (!renamed.TryGetValue(reference.Name, out string? name))
                    continue;
                reference.Name = name;
                reference.PublicKeyToken = Array.Empty<byte>();
                reference.PublicKey = Array.Empty<byte>();
                reference.HasPublicKey = false;
                changed++;
            }
        }
        assembly.Write(output);
    }
    return changed;
}

foreach (string package in packages)
{
    string target = Path.Combine(deps, renamed[Path.GetFileNameWithoutExtension(package)] + ".dll");
    Rewrite(package, target, rename: true);
    File.Delete(package);
    string pdb = Path.ChangeExtension(package, ".pdb");
    if (File.Exists(pdb))
        File.Delete(pdb);
}
foreach (string referencing in args.Skip(1))
{
    string temporary = referencing + ".private";
    int references = Rewrite(referencing, temporary, rename: false);
    File.Move(temporary, referencing, overwrite: true);
    string pdb = Path.ChangeExtension(referencing, ".pdb");
    if (File.Exists(pdb))
        File.Delete(pdb); // no longer matches the rewritten assembly
    Console.WriteLine($"{Path.GetFileName(referencing)}: {references} package references made private");
}
Console.WriteLine($"{deps}: {string.Join(", ", renamed.Values.Order(StringComparer.Ordinal))}");
return 0;
