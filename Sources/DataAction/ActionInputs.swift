import Actions
import JSON

/// The checked inputs of one call, read from a data action request body.
///
/// Two shapes are accepted: the flat input object Genesys sends with its default request
/// template `${input.rawRequest}` (`{"userId":"1"}`), and the tutorial's envelope
/// (`{"inputs":{"userId":"1"},"context":{…}}`). Unknown keys are ignored: Genesys may add
/// its own.
struct ActionInputs {
    /// The values by input name; an optional input that was not sent has none.
    let values: [String: JSONValue]

    /// Reads the inputs from a complete body, applying the contract's checks in order: the
    /// body, then each input in the order the action declares them.
    init(body: [UInt8], inputs: [ActionInput]) throws(ContractViolation) {
        guard !body.isEmpty else { throw .emptyBody }
        let members: [String: JSONValue]
        do {
            guard let object = try JSONValue.parse(body).objectValue else { throw ContractViolation.bodyNotObject }
            members = object
        } catch {
            throw .bodyNotObject
        }
        var sent = members
        if let envelope = members["inputs"] {
            guard let object = envelope.objectValue else { throw .inputsNotObject }
            sent = object
        }
        var values = [String: JSONValue](minimumCapacity: inputs.count)
        // Through the buffer, without a bounds check per input: the plain loop measured 1-5% slower
        // in `make bench-loop`. (Each input is still copied for its call; bench/ANALYSIS.md.)
        try inputs.withUnsafeBufferPointer { (inputs) throws(ContractViolation) in
            for index in inputs.indices {
                do throws(InputRefusal) {
                    values[inputs[index].name] = try inputs[index].value(in: sent)
                } catch {
                    throw ContractViolation(error)
                }
            }
        }
        self.values = values
    }
}
