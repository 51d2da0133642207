/// Why WebLama cannot start: the page or one of its libraries is not where it should be.
public struct WebLamaError: Error, CustomStringConvertible, Equatable {
    /// What is missing and how to get it.
    public var description: String

    /// The page's own files (`index.html`) are not in `root`.
    static func missingPage(root: String) -> WebLamaError {
        WebLamaError(description: "the web front end is not in \(root) (no index.html): set WEBLAMA_ROOT or --root to "
                     + "the repository's web/ directory")
    }

    /// A library's file is missing.
    static func missingLibrary(_ library: VendorLibrary) -> WebLamaError {
        WebLamaError(description: "\(library.name) is not installed (\(library.directory)/\(library.requiredFile) is "
                     + "missing): run \(library.installHint)")
    }
}
