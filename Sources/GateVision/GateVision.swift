import CVision
import GateCore
