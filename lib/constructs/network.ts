// The VPC. By default there is no NAT gateway: tasks sit in public subnets with public IPs (only the
// NLB's security group may reach them) and reach S3 and DynamoDB through free gateway endpoints.
// Interface endpoints for SQS, Secrets Manager, ECR and Logs would cost more than the public IPs
// (docs/deploy.md, "Costs"). Egress `direct` adds one NAT gateway with an Elastic IP: Fargate tasks
// cannot hold an EIP, and outbound SMTP needs a stable address with a PTR record (design brief §8).
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface MailNetworkProps {
  /** Zones to span, pinned so an env-agnostic synth needs no lookup. Default: the region's first two. */
  readonly availabilityZones?: readonly string[];
  /** Route task egress through one NAT gateway with an Elastic IP. Default: false. */
  readonly natGateway?: boolean;
  /** Retention of the rejected-traffic flow log. */
  readonly logRetention: logs.RetentionDays;
}

export class MailNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** Where the Fargate tasks run. */
  readonly taskSubnets: ec2.SubnetSelection;
  /** Whether tasks need a public IP to reach AWS APIs and the internet. */
  readonly tasksNeedPublicIp: boolean;
  /** The NAT gateway's Elastic IP (egress `direct` only): the address to publish in SPF and PTR. */
  readonly egressAddress?: ec2.CfnEIP;

  constructor(scope: Construct, id: string, props: MailNetworkProps) {
    super(scope, id);
    const natGateway = props.natGateway ?? false;
    if (natGateway) this.egressAddress = new ec2.CfnEIP(this, 'EgressAddress', { domain: 'vpc' });
    const subnetConfiguration: ec2.SubnetConfiguration[] = [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }];
    if (natGateway) subnetConfiguration.push({ name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      ...(props.availabilityZones === undefined ? { maxAzs: 2 } : { availabilityZones: [...props.availabilityZones] }),
      subnetConfiguration,
      natGateways: natGateway ? 1 : 0,
      ...(this.egressAddress === undefined
        ? {}
        : { natGatewayProvider: ec2.NatProvider.gateway({ eipAllocationIds: [this.egressAddress.attrAllocationId] }) }),
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    // Rejected flows only: cheap, and what an operator needs to see probing or a misrouted client.
    const flowLogGroup = new logs.LogGroup(this, 'RejectedFlows', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.vpc.addFlowLog('Rejected', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    });
    this.taskSubnets = { subnetType: natGateway ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC };
    this.tasksNeedPublicIp = !natGateway;
  }
}
